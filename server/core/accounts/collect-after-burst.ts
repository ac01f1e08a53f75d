import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// V8 collects its old generation only when it grows to a limit of about three times what
// was live at the last full collection. The garbage a bulk change promoted there (a 100,000
// row import: 160 MiB of RSS, 30 at 10,000) then stays resident while the daemon idles, as
// nothing allocates enough to reach the limit. One full collection once the burst is over
// gives it back (bench/README.md, thirteenth session: 430 → 269 MiB at 100,000 accounts).

// The changed names from which a transaction is a burst.
export const burstNames = 1000;

type Collect = (options: { type: 'major'; execution: 'async' }) => Promise<void>;
let collect: Collect | null = null;
let timer: NodeJS.Timeout | null = null;

// Asks for one full collection `delayMs` after the last call (a burst of calls makes one),
// when the answer and the pages' reloads are done. V8's `gc`, as Jest's leak detector gets
// it: a flag set now and a new context, not a flag at the daemon's start.
export function collectAfterBurst(delayMs = 1000): void {
  if (timer) {
    timer.refresh();
    return;
  }
  timer = setTimeout(() => {
    timer = null;
    if (!collect) {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as Collect;
    }
    void collect({ type: 'major', execution: 'async' });
  }, delayMs);
  timer.unref();
}
