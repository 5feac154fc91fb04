/**
 * Is a series flat? Least-squares slope per sample, and the change it implies over the whole run
 * relative to the series' mean. "Flat" = that change is within `tolerance` (e.g. 0.1 = 10 %), or
 * within `absolute` units (small series such as open file descriptors wobble by a few).
 */
export interface Trend {
  slopePerSample: number;
  mean: number;
  /** slope × (samples − 1): the growth the fit implies from first to last sample. */
  impliedGrowth: number;
  flat: boolean;
}

export function trend(values: number[], tolerance: number, absolute: number): Trend {
  const n = values.length;
  const mean = n === 0 ? 0 : values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { slopePerSample: 0, mean, impliedGrowth: 0, flat: true };
  const xMean = (n - 1) / 2;
  let num = 0;
  let den = 0;
  values.forEach((v, i) => {
    num += (i - xMean) * (v - mean);
    den += (i - xMean) ** 2;
  });
  const slopePerSample = num / den;
  const impliedGrowth = slopePerSample * (n - 1);
  const flat = impliedGrowth <= Math.max(absolute, Math.abs(mean) * tolerance);
  return { slopePerSample, mean, impliedGrowth, flat };
}

/** The p-th percentile (0–100) of unsorted numbers; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
