export interface BenchResult {
  name: string;
  subject: { label: string; medianMs: number; p95Ms: number };
  baseline: { label: string; medianMs: number; p95Ms: number };
  ratio: number;
  /** Per-round ratios when the row was measured in rounds; `ratio` is then their median. */
  rounds?: number[];
  target: string;
  pass: boolean;
}
