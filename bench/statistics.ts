// The order statistics the benches print: a quantile (nearest rank, the higher one) and the median.

// The value below which a share `q` of `values` lies (0.95: the p95).
export const quantile = (values: readonly number[], q: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

// The middle value (the higher of the two middle ones for an even count).
export const median = (values: readonly number[]): number => quantile(values, 0.5);

// A figure measured in rounds as the benches print it beside its median: "(0.63–1.37, 5 rounds)".
export const describeSpread = (values: readonly number[], digits = 2): string =>
  `(${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}, ${values.length} rounds)`;

// Per-round ratios (ours / baseline, measured in the same minutes) as the benches decide a
// target from them: their median and their spread, "0.89× (0.80–1.01, 3 rounds)".
export const describeRatios = (ratios: readonly number[]): string =>
  `${median(ratios).toFixed(2)}× ${describeSpread(ratios)}`;

// Per-round figures (milliseconds) as the benches decide a target from them: their median and
// their spread, "84.4 (79.2–100.3, 3 rounds)".
export const describeRounds = (values: readonly number[]): string =>
  `${median(values).toFixed(1)} ${describeSpread(values, 1)}`;
