// The benches' settings from the environment (LICORN_BENCH_*_ROUNDS, _SECONDS, …), checked when a
// bench runs rather than when its module loads, so that a wrong value stops the bench that uses
// it with the variable's name and value, and never `npm run bench -- web` for another bench's.

// A whole number in `min`–`max` from `process.env[name]`, `fallback` when it is not set.
export function readBenchCount(name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}–${max}`;
    throw new Error(`${name} must be a whole number ${range}, got "${text}"`);
  }
  return value;
}
