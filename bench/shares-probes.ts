// The shares bench's measuring tools: the event loop's gaps (and how the main thread spent
// them), a condition's time, the heap and RSS, the kernel's count of this process's watches.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The longest the event loop went without running a 5 ms interval (beyond its 5 ms) while
// started, and how that gap was spent by the main thread (its schedstat): running (a block
// of the loop) or waiting for a core (a busy machine).
export class LoopProbe {
  max = 0;
  ranMs = 0;
  waitedMs = 0;
  maxRanMs = 0;
  #last = [0, 0, 0];
  #timer: NodeJS.Timeout | null = null;
  start(): this {
    this.#last = this.#read();
    this.#timer = setInterval(() => {
      const now = this.#read();
      const gap = now[0]! - this.#last[0]! - 5;
      const ran = (now[1]! - this.#last[1]!) / 1e6;
      if (gap > this.max) {
        this.max = gap;
        this.ranMs = ran;
        this.waitedMs = (now[2]! - this.#last[2]!) / 1e6;
      }
      // What the event loop's own work can be blamed for: the most it ran in one gap.
      if (gap > 0 && ran > this.maxRanMs) this.maxRanMs = ran;
      this.#last = now;
    }, 5);
    return this;
  }
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
  // A row's name: what was measured, and how the longest gap was spent.
  describe(what: string): string {
    return (
      `longest event-loop block ${what}, ms (ran ${this.ranMs.toFixed(0)}, ` +
      `waited for a core ${this.waitedMs.toFixed(0)}; most run in one gap ${this.maxRanMs.toFixed(0)})`
    );
  }
  #read(): number[] {
    const [ran, waited] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return [performance.now(), ran!, waited!];
  }
}

// Polls `condition` every 2 ms until it holds; the time it first held (performance.now()).
export async function waitFor(condition: () => boolean, deadlineMs: number, what: string): Promise<number> {
  const deadline = performance.now() + deadlineMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`shares bench: ${what} not reached in ${deadlineMs} ms`);
    await sleep(2);
  }
  return performance.now();
}

// The JS heap after a full collection and the RSS, in bytes.
export function getMemory(): { heap: number; rss: number } {
  collectGarbage();
  collectGarbage();
  return { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
}

// The inotify watches the kernel holds for this process (its fdinfo), to check the watcher's
// own count.
export function countKernelWatches(): number {
  let watches = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    // The directory's own descriptor is closed by then: a link that is gone is skipped.
    const link = (() => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'utf8' });
      } catch {
        return null;
      }
    })();
    if (link !== 'anon_inode:inotify') continue;
    watches += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\ninotify wd:').length - 1;
  }
  return watches;
}

// Where the event loop's thread sleeps other than idle in epoll (a lock, a page fault, a
// synchronous call) while started: a worker thread reads its state, kernel wait channel and
// system call every 2 ms and counts each place seen. (Under load the worker's own samples
// are late, so counts, not durations.)
export class SleepProbe {
  #worker: import('node:worker_threads').Worker | null = null;
  #result: Promise<string> | null = null;
  async start(): Promise<this> {
    const { Worker } = await import('node:worker_threads');
    const code = `
      const { readFileSync } = require('node:fs');
      const { parentPort, workerData } = require('node:worker_threads');
      const base = '/proc/' + workerData + '/task/' + workerData + '/';
      const read = (name) => { try { return readFileSync(base + name, 'utf8').trim(); } catch { return '?'; } };
      let stop = false, samples = 0;
      const counts = new Map();
      parentPort.on('message', () => { stop = true; });
      const tick = () => {
        if (stop) {
          const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([w, n]) => w + ' ×' + n).join('; ');
          parentPort.postMessage(samples + ' samples; asleep outside epoll: ' + (top || 'never'));
          return;
        }
        samples += 1;
        const stat = read('stat');
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        const syscall = read('syscall').split(' ')[0];
        // 232 epoll_wait, 281 epoll_pwait (x86-64): the loop idle.
        if (state !== 'R' && syscall !== '232' && syscall !== '281') {
          const where = state + ' ' + read('wchan') + ' syscall ' + syscall;
          counts.set(where, (counts.get(where) || 0) + 1);
        }
        setTimeout(tick, 2);
      };
      tick();`;
    this.#worker = new Worker(code, { eval: true, workerData: process.pid });
    this.#result = new Promise((resolve) => this.#worker!.once('message', resolve));
    return this;
  }
  // Stops it; what it saw, in one line.
  async stop(): Promise<string> {
    if (!this.#worker) return '';
    this.#worker.postMessage('stop');
    const result = await this.#result!;
    await this.#worker.terminate();
    this.#worker = null;
    return result;
  }
}
