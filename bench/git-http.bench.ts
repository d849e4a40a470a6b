/**
 * Git over HTTP (issue 14): a full clone of a project repository with 1,000 commits and 100
 * tenant-environments through Backtrack's endpoint (`git clone --bare http://…/git/<project>.git`,
 * token as the Basic password), next to `git clone --bare --no-local file://` of the same bare
 * repository in the same run. Target: at most 1.5×. Reported beside it: an incremental `git fetch`
 * of one new commit, over HTTP and from file://.
 *
 * Rounds alternate which side goes first; the ratio is that of the medians, and the name lists every
 * round's ratio, so the spread shows. The repository is written by `git fast-import` (one commit with
 * every file, then 999 commits each moving one image tag), into a project created through the domain.
 *
 * Runnable alone: `npx tsx bench/git-http.bench.ts` prints a markdown table.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProject } from '../src/domain/admin';
import { argoCdRepositorySnippet } from '../src/domain/repository-tokens';
import { createTestApp, tempDir } from '../test/kit/app';
import type { BenchResult } from './lib/result';
import { markdownTable, summary } from './lib/table';

const ROUNDS = Number(process.env.BENCH_GIT_ROUNDS ?? 15);
const COMMITS = 1000;
const TENANTS = 10;
const ENVIRONMENTS = 10;
const SERVICES = ['api-gateway', 'checkout', 'payments'];
const PROJECT = 'clone-bench';

/** No user or system configuration, no prompts: both sides run the same client the same way. */
const CLIENT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };

function git(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { env: CLIENT_ENV, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(Object.assign(error, { stderr })) : resolve(stdout.trim()),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const valuesYaml = (service: string, tag: string) =>
  `image:\n  repository: registry.example.com/${service}\n  tag: ${tag}\nreplicas: 3\nresources:\n  requests:\n    cpu: 250m\n    memory: 256Mi\n`;
const manifestYaml = (service: string, namespace: string, tag: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${service}\n  namespace: ${namespace}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: ${service}\n          image: registry.example.com/${service}:${tag}\n`;

function inline(filePath: string, content: string): string {
  return `M 100644 inline ${filePath}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
}

let when = 1_700_000_000;
function commitHeader(message: string, parent: string | null): string {
  when += 60;
  return `commit refs/heads/main\ncommitter Bench Deployer <bench@example.com> ${when} +0000\ndata ${Buffer.byteLength(message)}\n${message}\n${parent ? `from ${parent}\n` : ''}`;
}

/** 100 tenant-environments × (environment, variables, 3 services with values, bindings and a manifest), then 999 releases. */
function historyStream(): string {
  const parts: string[] = [commitHeader('Initial layout', null)];
  const refs: Array<{ dir: string; namespace: string }> = [];
  for (let t = 0; t < TENANTS; t++) {
    for (let e = 0; e < ENVIRONMENTS; e++) {
      const tenant = `tenant-${t}`;
      const environment = `env-${e}`;
      const dir = `tenants/${tenant}/${environment}`;
      const namespace = `${tenant}-${environment}`;
      refs.push({ dir, namespace });
      parts.push(inline(`${dir}/environment.yaml`, `name: ${environment}\nnamespace: ${namespace}\n`));
      parts.push(inline(`${dir}/variables.yaml`, `LOG_LEVEL: info\nservices:\n${SERVICES.map((s) => `  ${s}:\n    TIMEOUT: "30"\n`).join('')}`));
      for (const service of SERVICES) {
        parts.push(inline(`${dir}/services/${service}/values.yaml`, valuesYaml(service, 'v1.0.0')));
        parts.push(inline(`${dir}/services/${service}/bindings.yaml`, `kustomize:\n  base: bases/web-service\n`));
        parts.push(inline(`${dir}/manifests/${service}.yaml`, manifestYaml(service, namespace, 'v1.0.0')));
      }
    }
  }
  parts.push('\n');
  for (let i = 1; i < COMMITS; i++) {
    const { dir, namespace } = refs[i % refs.length]!;
    const service = SERVICES[i % SERVICES.length]!;
    const tag = `v1.${Math.floor(i / 100)}.${i % 100}`;
    parts.push(commitHeader(`Release: ${dir} ${service} ${tag}\n\nSource: RELEASE\n`, null));
    parts.push(inline(`${dir}/services/${service}/values.yaml`, valuesYaml(service, tag)));
    parts.push(inline(`${dir}/manifests/${service}.yaml`, manifestYaml(service, namespace, tag)));
    parts.push('\n');
  }
  return parts.join('');
}

let extra = 0;
/** One more release on main (not timed). */
async function addCommit(gitDir: string): Promise<string> {
  const head = await git(['--git-dir', gitDir, 'rev-parse', 'refs/heads/main']);
  extra++;
  const content = valuesYaml('checkout', `v9.9.${extra}`);
  await git(['--git-dir', gitDir, 'fast-import', '--quiet'], `${commitHeader(`Release ${extra}`, head)}${inline('tenants/tenant-0/env-0/services/checkout/values.yaml', content)}\n`);
  return git(['--git-dir', gitDir, 'rev-parse', 'refs/heads/main']);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function runGitHttpBenchmarks(): Promise<BenchResult[]> {
  const t = await createTestApp();
  const work = tempDir('backtrack-bench-git-');
  try {
    const base = await t.listen();
    const organization = await t.app.backend.stores.organizations.bySlug('acme-corp');
    await createProject(t.app.backend, { organizationId: organization!.id, slug: PROJECT, name: 'Clone bench' });
    const bare = path.join(t.config.repositoriesDir, `${PROJECT}.git`);
    await git(['--git-dir', bare, 'fast-import', '--quiet'], historyStream());
    const commits = await git(['--git-dir', bare, 'rev-list', '--count', 'refs/heads/main']);
    if (Number(commits) !== COMMITS) throw new Error(`expected ${COMMITS} commits, got ${commits}`);
    const { token } = await argoCdRepositorySnippet(t.app.backend, { project: PROJECT });
    const httpUrl = new URL(`${base}/git/${PROJECT}.git`);
    httpUrl.username = 'argocd';
    httpUrl.password = token;
    const fileUrl = pathToFileURL(bare).href;

    let n = 0;
    const cloneOver = (url: string) => async () => {
      const dir = path.join(work, `clone-${n++}`);
      const ms = await timed(() => git(['clone', '--bare', '--no-local', '-q', url, dir]));
      fs.rmSync(dir, { recursive: true, force: true });
      return ms;
    };
    const cloneHttp = cloneOver(httpUrl.toString());
    const cloneFile = cloneOver(fileUrl);
    await cloneHttp();
    await cloneFile();
    const clones = { http: [] as number[], file: [] as number[], ratios: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const [first, second] = round % 2 === 0 ? [cloneHttp, cloneFile] : [cloneFile, cloneHttp];
      const a = await first();
      const b = await second();
      const [httpMs, fileMs] = round % 2 === 0 ? [a, b] : [b, a];
      clones.http.push(httpMs);
      clones.file.push(fileMs);
      clones.ratios.push(httpMs / fileMs);
    }

    // Incremental: one clone per side, then per round one new commit on the server and a fetch of it on each side.
    const httpClone = path.join(work, 'incremental-http.git');
    const fileClone = path.join(work, 'incremental-file.git');
    await git(['clone', '--bare', '-q', httpUrl.toString(), httpClone]);
    await git(['clone', '--bare', '--no-local', '-q', fileUrl, fileClone]);
    const fetchInto = (dir: string) => () => timed(() => git(['--git-dir', dir, 'fetch', '-q', 'origin', '+refs/heads/main:refs/heads/main']));
    const fetches = { http: [] as number[], file: [] as number[], ratios: [] as number[] };
    for (let round = 0; round < ROUNDS + 1; round++) {
      const head = await addCommit(bare);
      const order = round % 2 === 0 ? [fetchInto(httpClone), fetchInto(fileClone)] : [fetchInto(fileClone), fetchInto(httpClone)];
      const a = await order[0]!();
      const b = await order[1]!();
      for (const dir of [httpClone, fileClone]) {
        if ((await git(['--git-dir', dir, 'rev-parse', 'refs/heads/main'])) !== head) throw new Error(`${dir} did not fetch ${head}`);
      }
      if (round === 0) continue; // warm-up
      const [httpMs, fileMs] = round % 2 === 0 ? [a, b] : [b, a];
      fetches.http.push(httpMs);
      fetches.file.push(fileMs);
      fetches.ratios.push(httpMs / fileMs);
    }

    const spread = (ratios: number[]) => `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    const cloneRatio = median(clones.http) / median(clones.file);
    const fetchRatio = median(fetches.http) / median(fetches.file);
    return [
      {
        name: `Full clone, ${COMMITS} commits × ${TENANTS * ENVIRONMENTS} tenant-environments (median of ${ROUNDS} alternating rounds; per-round ratios ${spread(clones.ratios)})`,
        subject: summary('git clone --bare over Backtrack HTTP', clones.http),
        baseline: summary('git clone --bare --no-local file://', clones.file),
        ratio: cloneRatio,
        target: '≤ 1.5',
        pass: cloneRatio <= 1.5,
      },
      {
        name: `Incremental git fetch of one new commit (median of ${ROUNDS} alternating rounds; per-round ratios ${spread(fetches.ratios)})`,
        subject: summary('git fetch over Backtrack HTTP', fetches.http),
        baseline: summary('git fetch from file://', fetches.file),
        ratio: fetchRatio,
        target: 'reported',
        pass: true,
      },
    ];
  } finally {
    await t.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  runGitHttpBenchmarks().then((results) => console.log(markdownTable(results)));
}
