/** Bringing an existing repository: imported with its history, or refused with a report and nothing left behind. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createUser, createUserToken, grantRole } from '../../src/domain/admin';
import { DomainError } from '../../src/domain/errors';
import { OPERATOR } from '../../src/domain/onboarding/caller';
import { importProject, ImportRefusedError } from '../../src/domain/onboarding/import';
import { createOrganization } from '../../src/domain/onboarding/structure';
import { STAGING_PREFIX } from '../../src/git/staged-clone';
import type { TestApp } from '../kit/app';
import { call, ok } from '../kit/client';
import { DeployReleaseDocument } from '../kit/documents/history';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { test } from '../kit/fixtures';
import { git } from '../kit/git-cli';
import { tempDir } from '../kit/template';
import { runCli, startServer } from '../foundation/processes';

const it = test.extend('empty', async ({ openApp }) => openApp({ seed: false }));

const VALUES = (tag: string) => `# api workload\nimage:\n  repository: registry.example.com/api\n  tag: ${tag}\nreplicas: 2\nports:\n  http: 8080\n`;

/** A working repository made with the git CLI, one commit per call of `commit`. */
function sourceRepository(branch = 'main') {
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
function goodSource(branch = 'main') {
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

/** An organization, and a user with a token who will be ADMIN of the imported project. */
async function prepare(t: TestApp) {
  await createOrganization(t.app.backend, OPERATOR, { slug: 'acme-corp', plan: 'ENTERPRISE', featureFlags: ['rollback', 'basic_rollback'] });
  const userId = await createUser(t.app.backend, { email: 'pat@example.com', name: 'Pat' });
  return { userId, token: (await createUserToken(t.app.backend, userId, 'test')).token };
}

const leftovers = (t: TestApp) => fs.readdirSync(t.config.repositoriesDir).filter((name) => name.startsWith(STAGING_PREFIX));

describe('project import', () => {
  it('brings the repository with its history: past commits are RELEASE deployments; files outside the layout and differing manifests are reported, never rewritten', async ({ empty: t }) => {
    const source = goodSource();
    try {
      const { userId, token } = await prepare(t);
      const { project, report } = await importProject(t.app.backend, OPERATOR, { project: 'platform', from: source.dir });
      expect(report.missing).toEqual([]);
      expect(report.commits).toBe(3);
      expect(report.tenantEnvironments).toEqual([
        { tenant: 'acme', environment: 'production', services: ['api'] },
        { tenant: 'acme', environment: 'staging', services: ['web'] },
      ]);
      expect(report.outsideLayout).toEqual(['README.md', 'docs/runbook.md', 'tenants/acme/production/NOTES.md']);
      expect(report.differingManifests).toEqual(['tenants/acme/production/manifests/api.yaml']);
      expect(report.missingManifests).toEqual(['tenants/acme/staging/manifests/web.yaml']);

      const repo = path.join(t.config.repositoriesDir, 'platform.git');
      expect(git(repo, ['rev-parse', 'main'])).toBe(execFileSync('git', ['-C', source.dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim());
      expect(() => git(repo, ['config', '--get', 'remote.origin.url'])).toThrow();
      expect(git(repo, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
      expect(leftovers(t)).toEqual([]);

      await grantRole(t.app.backend, { userId, projectId: project.id, role: 'ADMIN' });
      const where = { project: 'platform', tenant: 'acme', environment: 'production' };
      const history = ok(await call(t, { token }, TenantEnvironmentDocument, where)).tenantEnvironment!.deployments.edges.map((e) => e.node);
      expect(history.map((d) => d.source)).toEqual(['RELEASE', 'RELEASE']);
      expect(history[0]!.changes).toEqual(['api: image.tag v1.0.0 → v1.1.0']);
      expect(ok(await call(t, { token }, TenantEnvironmentDocument, { ...where, environment: 'staging' })).tenantEnvironment!.deployments.edges).toHaveLength(1);

      // The next change to api regenerates its manifest, in that change's own commit; nothing else is touched.
      const release = ok(
        await call(t, { token }, DeployReleaseDocument, {
          input: { ...where, services: [{ service: 'api', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v1.2.0' }] }] },
        }),
      ).deployRelease;
      expect(git(repo, ['diff-tree', '--no-commit-id', '--name-only', '-r', release.revision]).split('\n')).toEqual([
        'tenants/acme/production/manifests/api.yaml',
        'tenants/acme/production/services/api/values.yaml',
      ]);
      expect(git(repo, ['show', 'main:tenants/acme/production/manifests/api.yaml'])).toMatch(/Generated by the Backtrack delivery generator/);
      expect(git(repo, ['show', 'main:README.md'])).toBe('# platform config');
      expect(git(repo, ['show', 'main:tenants/acme/production/NOTES.md'])).toBe('freeze on fridays');
      expect(() => git(repo, ['show', 'main:tenants/acme/staging/manifests/web.yaml'])).toThrow();
    } finally {
      source.remove();
    }
  });

  it('refuses a repository that does not follow the layout, saying what is missing, and leaves nothing behind', async ({ empty: t }) => {
    const source = sourceRepository();
    try {
      await prepare(t);
      source.commit(
        {
          'tenants/Acme_Corp/production/services/api/bindings.yaml': 'manifests: []\n',
          'tenants/globex/values.yaml': 'replicas: 1\n',
          'tenants/initech/qa/services/api/values.yaml': 'image: [unclosed\n',
        },
        'flat layout',
      );
      const refused = await importProject(t.app.backend, OPERATOR, { project: 'platform', from: source.dir }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ImportRefusedError);
      const { report, message } = refused as ImportRefusedError;
      expect(report.missing).toEqual([
        'tenants/Acme_Corp/: "Acme_Corp" is not a valid tenant name (lowercase letters, digits and dashes)',
        'tenants/Acme_Corp/production/services/api/values.yaml',
        'tenants/globex/<environment>/: tenant globex has no environment directory',
        expect.stringMatching(/^tenants\/initech\/qa\/services\/api\/values\.yaml: not valid YAML/),
      ]);
      expect(message).toMatch(/does not follow the repository layout; nothing was imported/);
      expect(message).toMatch(/Missing from the layout/);
      expect(fs.readdirSync(t.config.repositoriesDir)).toEqual([]);
      expect(await t.app.backend.stores.projects.bySlug('platform')).toBeNull();

      const empty = sourceRepository();
      try {
        const error = await importProject(t.app.backend, OPERATOR, { project: 'platform', from: empty.dir }).catch((e: unknown) => e as DomainError);
        expect(error).toMatchObject({ code: 'IMPORT_SOURCE_UNREADABLE', message: expect.stringMatching(/has no commits/) });
      } finally {
        empty.remove();
      }
      const unreachable = await importProject(t.app.backend, OPERATOR, { project: 'platform', from: path.join(source.dir, 'nope') }).catch((e: unknown) => e as DomainError);
      expect(unreachable).toMatchObject({ code: 'IMPORT_SOURCE_UNREADABLE', message: expect.stringMatching(/^cannot clone /) });
      expect(fs.readdirSync(t.config.repositoriesDir)).toEqual([]);
    } finally {
      source.remove();
    }
  });

  it('takes another branch as main when told, and says which branches there are when not', async ({ empty: t }) => {
    const source = goodSource('master');
    try {
      await prepare(t);
      const url = `file://${source.dir}`;
      const error = await importProject(t.app.backend, OPERATOR, { project: 'platform', from: url }).catch((e: unknown) => e as DomainError);
      expect(error).toMatchObject({ code: 'IMPORT_SOURCE_UNREADABLE', message: expect.stringMatching(/has no branch main \(its branches: master; pass --branch/) });
      const { project } = await importProject(t.app.backend, OPERATOR, { project: 'platform', from: url, branch: 'master' });
      const repo = path.join(t.config.repositoriesDir, `${project.slug}.git`);
      expect(git(repo, ['for-each-ref', '--format=%(refname)', 'refs/heads'])).toBe('refs/heads/main');
      expect((await t.app.backend.stores.projects.byId(project.id))!.indexedSha).toBe(git(repo, ['rev-parse', 'main']));
    } finally {
      source.remove();
    }
  });
});

describe('project import with the CLI, against a running server', () => {
  const TIMEOUT = 240_000;
  let root: string;
  let dataDir: string;
  let source: ReturnType<typeof goodSource>;
  const env = () => ({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });

  beforeAll(() => {
    root = tempDir('backtrack-import-cli-');
    dataDir = path.join(root, 'data');
    source = goodSource();
  });
  afterAll(() => {
    source.remove();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test(
    'imports with a report the server shows at once; a refused import prints what is missing, exits 1 and leaves nothing',
    async () => {
      expect((await runCli(['--init', 'organization', 'create', '--slug', 'acme-corp', '--plan', 'PRO', '--flag', 'rollback'], env())).code).toBe(0);
      expect((await runCli(['user', 'create', '--email', 'pat@example.com', '--name', 'Pat'], env())).code).toBe(0);
      const token = (await runCli(['token', 'create', '--email', 'pat@example.com'], env())).stdout.trim();
      const server = await startServer({ ...env(), PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false' }, { tokens: false });
      try {
        const imported = await runCli(['project', 'import', '--project', 'platform', '--from', source.dir, '--admin', 'pat@example.com'], env());
        expect(imported.code, imported.stderr).toBe(0);
        expect(imported.stdout).toContain(`project platform imported from ${source.dir}`);
        expect(imported.stdout).toContain('main at ');
        expect(imported.stdout).toMatch(/Kept as they are \(outside the layout, never rewritten\):\n  - README\.md\n  - docs\/runbook\.md/);
        expect(imported.stdout).toMatch(/Manifests that differ from what the generator writes[^\n]*\n  - tenants\/acme\/production\/manifests\/api\.yaml/);
        expect(imported.stdout).toContain('pat@example.com is ADMIN in platform');
        expect(imported.stderr.trim().split('\n').at(-1)).toBe(`backtrack: data directory ${dataDir}`);

        const response = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: print(TenantEnvironmentDocument), variables: { project: 'platform', tenant: 'acme', environment: 'production' } }),
        });
        const body = (await response.json()) as { data: { tenantEnvironment: { deployments: { edges: Array<{ node: { source: string } }> } } } };
        expect(body.data.tenantEnvironment.deployments.edges.map((e) => e.node.source)).toEqual(['RELEASE', 'RELEASE']);

        const broken = sourceRepository();
        try {
          broken.commit({ 'services/api/values.yaml': 'replicas: 1\n' }, 'not our layout');
          const refused = await runCli(['project', 'import', '--project', 'legacy', '--from', broken.dir], env());
          expect(refused.code).toBe(1);
          expect(refused.stderr).toMatch(/^backtrack: .* does not follow the repository layout; nothing was imported\./);
          expect(refused.stderr).toContain('tenants/<tenant>/<environment>/: the repository has no tenants/ directory with tenants in it');
          expect(refused.stderr).toMatch(/Kept as they are[^\n]*\n  - services\/api\/values\.yaml/);
          expect(refused.stderr).not.toMatch(/\n\s+at /);
        } finally {
          broken.remove();
        }
        expect(fs.readdirSync(path.join(dataDir, 'repositories'))).toEqual(['platform.git']);
      } finally {
        expect((await server.stop()).code).toBe(0);
      }
    },
    TIMEOUT,
  );
});
