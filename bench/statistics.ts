// The order statistics the benches print: a quantile (nearest rank, the higher one) and the median.

// The value below which a share `q` of `values` lies (0.95: the p95).
export const quantile = (values: readonly number[], q: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

// The middle value (the higher of the two middle ones for an even count).
export const median = (values: readonly number[]): number => quantile(values, 0.5);
