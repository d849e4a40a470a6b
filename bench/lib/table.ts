import type { BenchResult } from './result';

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));

/** The median ratio, with the spread of the rounds it is the median of. */
function ratioCell(r: BenchResult): string {
  if (!r.rounds || r.rounds.length < 2) return r.ratio.toFixed(2);
  return `${r.ratio.toFixed(2)} (${Math.min(...r.rounds).toFixed(2)}–${Math.max(...r.rounds).toFixed(2)}, ${r.rounds.length} rounds)`;
}

/** A markdown table of benchmark results (the README includes the one `npm run bench` writes). */
export function markdownTable(results: BenchResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.subject.label}: ${ms(r.subject.medianMs)} / ${ms(r.subject.p95Ms)} | ${r.baseline.label}: ${ms(r.baseline.medianMs)} / ${ms(r.baseline.p95Ms)} | ${ratioCell(r)} | ${r.target} | ${r.pass ? 'yes' : 'no'} |`,
  );
  return [
    '| benchmark | subject (median / p95 ms) | baseline, same run (median / p95 ms) | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `fn` for warmup + iterations rounds and returns per-round milliseconds. */
export async function sample(iterations: number, fn: () => Promise<unknown>, warmup = 3): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

export function summary(label: string, samples: number[]) {
  return { label, medianMs: percentile(samples, 50), p95Ms: percentile(samples, 95) };
}
