// Told how far a long operation is: its phase, and how many of how many steps are done.
export type ProgressListener = (progress: {
  phase: 'checking' | 'passwords' | 'writing' | 'homes';
  done: number;
  total: number;
}) => void;

// Calls `listener` at most every 100 ms (and always for the last step or when forced):
// an import of 10,000 rows must not send 10,000 messages.
export function throttleProgress(
  listener: ProgressListener | undefined,
): (phase: Parameters<ProgressListener>[0]['phase'], done: number, total: number, force?: boolean) => void {
  let last = 0;
  return (phase, done, total, force = false) => {
    if (!listener) return;
    const now = Date.now();
    if (!force && done !== total && now - last < 100) return;
    last = now;
    listener({ phase, done, total });
  };
}
