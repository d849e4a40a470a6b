/**
 * Benchmarks with targets are judged on the median of several rounds, each round a subject and a
 * baseline measured back to back, so a noisy moment on a shared machine moves one round, not the verdict.
 */
import type { BenchResult } from './result';
import { percentile, summary } from './table';

/** `npm run bench -- --scale` (or BENCH_SCALE=1) adds the rows at real sizes, which take longer. */
export const SCALE = process.argv.includes('--scale') || process.env.BENCH_SCALE === '1';

export const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));

export interface Round {
  /** Per-sample milliseconds of the subject and of the baseline in this round. */
  subject: number[];
  baseline: number[];
}

export type Target = { atMost: number } | { atLeast: number } | 'reported';

/** A row from its rounds: the ratio is the median of the per-round ratios (subject median ÷ baseline median). */
export function resultOfRounds(name: string, labels: { subject: string; baseline: string }, target: Target, rounds: Round[]): BenchResult {
  const ratios = rounds.map((r) => percentile(r.subject, 50) / percentile(r.baseline, 50));
  const ratio = percentile(ratios, 50);
  return {
    name,
    subject: summary(labels.subject, rounds.flatMap((r) => r.subject)),
    baseline: summary(labels.baseline, rounds.flatMap((r) => r.baseline)),
    ratio,
    rounds: ratios,
    target: target === 'reported' ? 'reported' : 'atMost' in target ? `≤ ${target.atMost}` : `≥ ${target.atLeast}`,
    pass: target === 'reported' || ('atMost' in target ? ratio <= target.atMost : ratio >= target.atLeast),
  };
}
