export interface BenchResult {
  name: string;
  subject: { label: string; medianMs: number; p95Ms: number };
  baseline: { label: string; medianMs: number; p95Ms: number };
  ratio: number;
  target: string;
  pass: boolean;
}
