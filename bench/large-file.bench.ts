/**
 * One field patched through the API in a large values.yaml, at four sizes up to about 1 MB (each file
 * pushed with the git CLI, as a team's own tooling would): the time of `deployRelease` over GraphQL,
 * per megabyte of file, at 1 MB against the same at 256 KB. Linear work keeps the ratio at or below 1
 * (fixed costs weigh more on the small file); the quadratic duplicate-key check of the YAML library
 * made it about 8.
 *
 * Runnable alone: `npx tsx bench/large-file.bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { forgetCachedFiles } from '../src/domain/tenant-environment-files';
import { createTestApp } from '../test/kit/app';
import { DeployReleaseDocument } from '../test/kit/documents/history';
import { fileAt, pushWithGitCli, STAGING, teDir } from '../test/history/helpers';
import type { BenchResult } from './lib/result';
import { ROUNDS, resultOfRounds, type Round } from './lib/rounds';
import { markdownTable } from './lib/table';
import { withLargeSettings } from '../test/kit/large-yaml';

const SIZES_KB = [128, 256, 512, 1024];
const SAMPLES = 3;

export async function runLargeFileBenchmarks(): Promise<BenchResult[]> {
  const t = await createTestApp();
  const path = `${teDir(STAGING)}/services/checkout/values.yaml`;
  const original = fileAt(t, 'main', path);
  let n = 0;
  /** Milliseconds per MB of one cold patch through the API of a file of `kb` KB. */
  const patch = async (kb: number) => {
    pushWithGitCli(t, { [path]: withLargeSettings(original, kb * 1024) }, `checkout: ${kb} KB of settings`);
    forgetCachedFiles();
    const started = performance.now();
    const result = await t.gql('DEPLOYER', DeployReleaseDocument, {
      input: { ...STAGING, services: [{ service: 'checkout', setFields: [{ path: 'settings.key_7', value: `patched-${n++}` }] }] },
    });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return (performance.now() - started) / (kb / 1024);
  };
  try {
    const rounds: Round[] = [];
    const perSize = new Map<number, number[]>(SIZES_KB.map((kb) => [kb, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < SAMPLES; i++) for (const kb of SIZES_KB) perSize.get(kb)!.push(await patch(kb));
      rounds.push({ subject: perSize.get(1024)!.slice(-SAMPLES), baseline: perSize.get(256)!.slice(-SAMPLES) });
    }
    const middle = SIZES_KB.map((kb) => `${kb} KB: ${Math.round(median(perSize.get(kb)!))} ms/MB`).join(', ');
    return [
      resultOfRounds(
        `FIELD patch through the API in a large values.yaml pushed with git, ms per MB (${middle})`,
        { subject: 'at 1 MB, ms per MB', baseline: 'at 256 KB, ms per MB' },
        { atMost: 1.25 },
        rounds,
      ),
    ];
  } finally {
    await t.close();
  }
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  process.stdout.write(`${markdownTable(await runLargeFileBenchmarks())}\n`);
}
