/**
 * Rollback engine benchmarks (issue 4), each next to a baseline measured in the same run:
 *
 * 1. FIELD rollback commit (plan + commit + compare-and-swap + recorded: executeRollback) of one service's
 *    image.tag on a tenant-environment with 50 services, against the same file change committed on
 *    the same parent with git CLI plumbing (read-tree / hash-object / update-index / write-tree /
 *    commit-tree / update-ref). Target: at most 0.25× the CLI baseline, on the median of ROUNDS rounds.
 *    Reported beside it: the same with a cold file cache (after a restart).
 * 2. FULL rollback preview on a tenant-environment with 200 services (every service changed since the
 *    target), against computing the same diff with the CLI: `git diff <head> <target> -- <dir>` plus
 *    reading the changed files at both revisions with `git show`. Reported, no target.
 *
 * Runnable alone: `npx tsx bench/rollback.bench.ts` prints a markdown table.
 */
import { pathToFileURL } from 'node:url';
import { execFile } from 'node:child_process';
import { deployRelease } from '../src/domain/releases';
import { executeRollback } from '../src/domain/rollback/execute';
import { forgetCachedFiles } from '../src/domain/tenant-environment-files';
import { previewRollback } from '../src/domain/rollback/preview';
import { commitWithGitCli, type FileChange, type GitStore } from '../src/git';
import type { BenchResult } from './lib/result';
import { ROUNDS, resultOfRounds, type Round, type Target } from './lib/rounds';
import { markdownTable, summary } from './lib/table';
import { AUTHOR, PROJECT, createRollbackWorkspace, serviceName, type RollbackWorkspace } from './lib/rollback-workspace';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 25);
const WARMUP = 3;

function git(repoDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['--git-dir', repoDir, ...args], { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(Object.assign(error, { stderr })) : resolve(stdout),
    );
  });
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** The file changes a commit made relative to its first parent, as a change set. */
async function changesOf(repoDir: string, sha: string): Promise<FileChange[]> {
  const status = (await git(repoDir, ['diff-tree', '-r', '--no-commit-id', '--no-renames', '--name-status', `${sha}^`, sha])).trim().split('\n');
  return Promise.all(
    status.map(async (line) => {
      const [kind, path] = line.split('\t') as [string, string];
      return { path, content: kind === 'D' ? null : await git(repoDir, ['show', `${sha}:${path}`]) };
    }),
  );
}

type Variant = { label: string; cold: boolean };

/**
 * One FIELD rollback variant, measured in a loop of its own: per iteration (untimed) a release moves
 * one image tag — the state to roll back from — then the timed rollback of that tag to the revision
 * before, then (timed) the same change on the same parent made with git plumbing on a branch of its
 * own, checked to give the identical tree.
 */
async function measureFieldRollback(ws: RollbackWorkspace, variant: Variant, release: { n: number }): Promise<Round[]> {
  const context = await ws.tenantEnvironment('acme', 'production');
  const repo = await ws.backend.repositories.forProject(PROJECT);
  const service = serviceName(17);
  const rounds: Round[] = Array.from({ length: ROUNDS }, () => ({ subject: [], baseline: [] }));
  const perRound = Math.ceil(ITERATIONS / ROUNDS);
  for (let i = 0; i < WARMUP + perRound * ROUNDS; i++) {
    const target = (await repo.head())!;
    await deployRelease(ws.backend, ws.deployer, {
      project: PROJECT,
      tenant: 'acme',
      environment: 'production',
      services: [{ service, setFields: [{ file: 'values.yaml', path: 'image.tag', value: `v2.0.${release.n++}` }] }],
    });
    const parent = (await repo.head())!;
    if (variant.cold) {
      forgetCachedFiles();
      (repo as GitStore).forgetRecentCommits();
    }
    const rollback = await timed(() =>
      executeRollback(ws.backend, {
        tenantEnvironment: context,
        scope: { mode: 'FIELD', service, fields: [{ file: 'values.yaml', path: 'image.tag' }] },
        targetSha: target,
        expectedPreviewHash: null,
        requestId: `rbk-bench-${release.n}`,
        justification: 'benchmark',
        author: AUTHOR,
        approval: 'Not required by the environment policy',
      }),
    );
    const changes = await changesOf(ws.repoDir, rollback.value.sha);
    const message = (await repo.commitInfo(rollback.value.sha)).message;
    await git(ws.repoDir, ['update-ref', 'refs/heads/cli-baseline', parent]);
    const cli = await timed(() => commitWithGitCli(ws.repoDir, parent, changes, message, AUTHOR, 'cli-baseline'));
    const [ours, theirs] = await Promise.all([
      git(ws.repoDir, ['rev-parse', `${rollback.value.sha}^{tree}`]),
      git(ws.repoDir, ['rev-parse', `${cli.value}^{tree}`]),
    ]);
    if (ours !== theirs) throw new Error('the CLI baseline did not produce the same tree as the rollback');
    if (i >= WARMUP) {
      const round = rounds[Math.floor((i - WARMUP) / perRound)]!;
      round.subject.push(rollback.ms);
      round.baseline.push(cli.ms);
    }
  }
  return rounds;
}

/**
 * FIELD rollback of one image tag on a tenant-environment with 50 services (and a second one beside
 * it): plan + commit + compare-and-swap + the deployment recorded in the same step (executeRollback)
 * against the target; reported beside it, the same with an empty file cache (as right after a restart).
 */
export async function fieldRollbackBenchmarks(): Promise<BenchResult[]> {
  const ws = await createRollbackWorkspace({ 'acme/production': 50, 'globex/production': 50 });
  try {
    const release = { n: 0 };
    const rows: Array<[string, Variant, Target]> = [
      ['FIELD rollback commit, 50 services (plan + commit + CAS + recorded)', { label: 'executeRollback', cold: false }, { atMost: 0.25 }],
      ['FIELD rollback commit, 50 services, cold file cache', { label: 'executeRollback after restart', cold: true }, 'reported'],
    ];
    const results: BenchResult[] = [];
    for (const [name, variant, target] of rows) {
      const rounds = await measureFieldRollback(ws, variant, release);
      results.push(resultOfRounds(name, { subject: variant.label, baseline: 'same change, git CLI plumbing' }, target, rounds));
    }
    return results;
  } finally {
    await ws.close();
  }
}

export async function fullPreviewBenchmark(): Promise<BenchResult> {
  const ws = await createRollbackWorkspace({ 'acme/production': 200 });
  try {
    const git$ = await ws.backend.repositories.forProject(PROJECT);
    const target = (await git$.head())!;
    // Five releases since the target, each moving the image tag of 40 services: all 200 differ.
    for (let r = 0; r < 5; r++) {
      await deployRelease(ws.backend, ws.deployer, {
        project: PROJECT,
        tenant: 'acme',
        environment: 'production',
        services: Array.from({ length: 40 }, (_, i) => ({
          service: serviceName(r * 40 + i),
          setFields: [{ file: 'values.yaml', path: 'image.tag', value: `v1.${r + 1}.0` }],
        })),
      });
    }
    const head = (await git$.head())!;
    const dir = 'tenants/acme/production';
    const input = { project: PROJECT, tenant: 'acme', environment: 'production', mode: 'FULL' as const, targetRevision: target };
    let files = 0;
    const cliDiff = async () => {
      const patch = await git(ws.repoDir, ['diff', head, target, '--', dir]);
      const paths = [...patch.matchAll(/^diff --git a\/(\S+) b\//gm)].map((m) => m[1]!);
      const [now, then] = await Promise.all([
        git(ws.repoDir, ['show', ...paths.map((p) => `${head}:${p}`)]),
        git(ws.repoDir, ['show', ...paths.map((p) => `${target}:${p}`)]),
      ]);
      return { paths, bytes: patch.length + now.length + then.length };
    };
    const subject: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const preview = await timed(() => previewRollback(ws.backend, ws.deployer, input));
      const cli = await timed(cliDiff);
      if (preview.value.diff.files.length !== cli.value.paths.length) {
        throw new Error(`preview lists ${preview.value.diff.files.length} files, git diff ${cli.value.paths.length}`);
      }
      files = cli.value.paths.length;
      if (i >= WARMUP) {
        subject.push(preview.ms);
        baseline.push(cli.ms);
      }
    }
    const s = summary('FULL rollback preview (previewRollback)', subject);
    const b = summary('git diff + git show of both sides', baseline);
    return {
      name: `FULL rollback preview, 200 services, ${files} files differ (median ratio)`,
      subject: s,
      baseline: b,
      ratio: s.medianMs / b.medianMs,
      target: 'reported',
      pass: true,
    };
  } finally {
    await ws.close();
  }
}

export async function runRollbackBenchmarks(): Promise<BenchResult[]> {
  return [...(await fieldRollbackBenchmarks()), await fullPreviewBenchmark()];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  runRollbackBenchmarks().then((results) => console.log(markdownTable(results)));
}
