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
  /**
   * This round's ratio when it is not one of sample times (e.g. throughput: subject ops/s ÷
   * baseline ops/s); without it, subject ÷ baseline at the percentile asked for.
   */
  ratio?: number;
}

export type Target = { atMost: number } | { atLeast: number } | 'reported';

/**
 * A row from its rounds: the ratio is the median of the per-round ratios (subject ÷ baseline, each
 * side's median by default, or another percentile of its samples, e.g. 95 for a p95 target).
 */
export function resultOfRounds(name: string, labels: { subject: string; baseline: string }, target: Target, rounds: Round[], perRound = 50): BenchResult {
  const ratios = rounds.map((r) => r.ratio ?? percentile(r.subject, perRound) / percentile(r.baseline, perRound));
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
