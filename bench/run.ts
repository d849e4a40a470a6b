/**
 * `npm run bench`: every benchmark, each next to a baseline measured in the same run, written to
 * bench/RESULTS.md (which the README quotes). Exits 0 either way: targets are reported, not enforced.
 * `npx tsx bench/run.ts <suite>…` runs only the named suites (and writes only their rows).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGitHttpBenchmarks } from './git-http.bench';
import { runGraphqlBenchmarks } from './graphql.bench';
import { runHistoryBenchmarks } from './history.bench';
import { runLargeFileBenchmarks } from './large-file.bench';
import { runMultiInstanceBenchmarks } from './multi-instance.bench';
import { runNotificationBenchmarks } from './notifications.bench';
import { runRollbackBenchmarks } from './rollback.bench';
import { runSubscriptionBenchmarks } from './subscriptions.bench';
import { runYamlAndFullBenchmarks } from './yaml-and-full.bench';
import type { BenchResult } from './lib/result';
import { markdownTable } from './lib/table';

const suites: Array<[string, () => Promise<BenchResult[]>]> = [
  ['rollback', runRollbackBenchmarks],
  ['history', runHistoryBenchmarks],
  ['large-file', runLargeFileBenchmarks],
  ['subscriptions', runSubscriptionBenchmarks],
  ['graphql', runGraphqlBenchmarks],
  ['git-http', runGitHttpBenchmarks],
  ['yaml-and-full', runYamlAndFullBenchmarks],
  ['notifications', runNotificationBenchmarks],
  ['multi-instance', runMultiInstanceBenchmarks],
];
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const unknown = only.filter((name) => !suites.some(([suite]) => suite === name));
if (unknown.length > 0) throw new Error(`unknown benchmark suite ${unknown.join(', ')} (suites: ${suites.map(([name]) => name).join(', ')})`);

const results: BenchResult[] = [];
for (const [name, run] of suites) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`running ${name} benchmarks…\n`);
  results.push(...(await run()));
}
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const table = markdownTable(results);
const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md');
if (only.length === 0) fs.writeFileSync(file, `<!-- written by npm run bench on ${new Date().toISOString().slice(0, 10)} (${machine}) -->\n${table}\n`);
process.stdout.write(`\n${table}\n\n${only.length === 0 ? `written to ${path.relative(process.cwd(), file)}` : 'not written to RESULTS.md (a selection of suites)'}\n`);
