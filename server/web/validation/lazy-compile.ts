// What a schema compiler put off until its route's first request (validator-compiler.ts,
// serializer-factory.ts): compiled on first use, or all at once by compileAllPending().
const pending = new Set<() => void>();

// Returns `compile` made lazy: the first call compiles (and every later one reuses that).
export function compileOnFirstUse<T>(compile: () => T): () => T {
  let compiled: { value: T } | null = null;
  const get = () => {
    if (compiled === null) {
      compiled = { value: compile() };
      pending.delete(run);
    }
    return compiled.value;
  };
  const run = () => void get();
  pending.add(run);
  return get;
}

// Compiles every schema still waiting for its first request; throws the first schema's
// error (a test of every route's schemas calls it, since a start no longer compiles them).
export function compileAllPending(): number {
  const waiting = [...pending];
  for (const run of waiting) run();
  return waiting.length;
}
