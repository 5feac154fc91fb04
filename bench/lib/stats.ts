/** Latency summaries in milliseconds, rounded for the report. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

const round = (x: number): number => Math.round(x * 100) / 100;

export function summarize(values: number[]): Summary {
  if (values.length === 0) return { n: 0, p50: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]), mean: round(values.reduce((a, b) => a + b, 0) / values.length) };
}

export const now = (): number => performance.now();
