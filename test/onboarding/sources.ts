/** Repositories made with the git CLI, as a team would bring them: one that follows the layout, and any other. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../kit/template';

const VALUES = (tag: string) => `# api workload\nimage:\n  repository: registry.example.com/api\n  tag: ${tag}\nreplicas: 2\nports:\n  http: 8080\n`;

/** A working repository made with the git CLI, one commit per call of `commit`. */
export function sourceRepository(branch = 'main') {
  const dir = tempDir('backtrack-source-');
  const run = (args: string[], author = 'Pat Platform <pat@example.com>') =>
    execFileSync('git', ['-C', dir, ...args], {
      env: { ...process.env, GIT_AUTHOR_NAME: author.split(' <')[0], GIT_AUTHOR_EMAIL: author.split('<')[1]!.slice(0, -1), GIT_COMMITTER_NAME: 'CI', GIT_COMMITTER_EMAIL: 'ci@example.com' },
      encoding: 'utf8',
    }).trim();
  run(['init', '-q', '-b', branch]);
  return {
    dir,
    commit(files: Record<string, string | null>, message: string, author?: string): string {
      for (const [file, content] of Object.entries(files)) {
        const target = path.join(dir, file);
        if (content === null) fs.rmSync(target);
        else {
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.writeFileSync(target, content);
        }
      }
      run(['add', '-A']);
      run(['commit', '-q', '-m', message], author);
      return run(['rev-parse', 'HEAD']);
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A repository that follows the layout, with three commits, files outside the layout and a hand-edited manifest. */
export function goodSource(branch = 'main') {
  const source = sourceRepository(branch);
  source.commit(
    {
      'README.md': '# platform config\n',
      'docs/runbook.md': 'page the platform team\n',
      'tenants/acme/production/environment.yaml': 'namespace: acme-prod\n',
      'tenants/acme/production/variables.yaml': 'REGION: eu-west-1\n',
      'tenants/acme/production/services/api/values.yaml': VALUES('v1.0.0'),
      'tenants/acme/production/services/api/bindings.yaml': 'manifests: []\n',
      'tenants/acme/production/manifests/api.yaml': '# written by hand\nkind: Deployment\n',
      'tenants/acme/production/NOTES.md': 'freeze on fridays\n',
    },
    'initial configuration',
  );
  source.commit({ 'tenants/acme/production/services/api/values.yaml': VALUES('v1.1.0') }, 'api 1.1.0', 'Robin Release <robin@example.com>');
  source.commit(
    {
      'tenants/acme/staging/services/web/values.yaml': 'image:\n  repository: registry.example.com/web\n  tag: v3\n',
      'tenants/acme/staging/services/web/bindings.yaml': 'manifests: []\n',
    },
    'staging: web',
  );
  return source;
}
