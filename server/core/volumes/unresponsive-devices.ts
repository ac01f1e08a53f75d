import { CoreError } from '../errors.ts';
import { ToolTimeoutError } from './run-tool.ts';
import { say } from '../messages.ts';

// How long a tool may take on one device before the device counts as not responding (blkid
// and statfs answer in milliseconds; a disk spinning up takes seconds), and how long the
// device is then left alone before it is tried again (doubled at each new miss, up to 10 min).
export const defaultDeadlines = { probeMs: 8_000, mountMs: 60_000, retryMs: 30_000 };
export type Deadlines = typeof defaultDeadlines;

// The devices whose tool (blkid, statfs, mount, umount) missed its deadline and is still
// stuck in the kernel. While it is, nothing else is run on the device (each try would leave
// one more stuck thread or process and hold the queue for one more deadline): the device is shown as
// not responding and its actions are refused. Once the stuck tool has ended and the retry
// delay has passed (a SIGKILL may end a tool in a killable wait at once: trying again at once
// would hold the queue for one deadline after another), `onRecovered` names the device so that
// it is read again.
export class UnresponsiveDevices {
  readonly #stuck = new Map<string, string>();
  readonly #misses = new Map<string, number>();
  readonly #onRecovered: (name: string) => void;
  readonly #retryMs: number;

  constructor(onRecovered: (name: string) => void, retryMs = defaultDeadlines.retryMs) {
    this.#onRecovered = onRecovered;
    this.#retryMs = retryMs;
  }

  // Why the device is not responding ("blkid did not answer in 8 s"), or null.
  getReason(name: string): string | null {
    return this.#stuck.get(name) ?? null;
  }

  // Runs a tool on a device: refused at once while an earlier one is stuck; a missed
  // deadline marks the device until the stuck tool ends.
  async run<T>(name: string, task: () => Promise<T>): Promise<T> {
    const reason = this.#stuck.get(name);
    if (reason) throw this.#createError(name, reason);
    try {
      const result = await task();
      this.#misses.delete(name);
      return result;
    } catch (error) {
      if (!(error instanceof ToolTimeoutError)) throw error;
      const misses = (this.#misses.get(name) ?? 0) + 1;
      this.#misses.set(name, misses);
      this.#stuck.set(name, error.message);
      const delay = Math.min(this.#retryMs * 2 ** (misses - 1), 600_000);
      const waited = new Promise((resolve) => setTimeout(resolve, delay).unref());
      Promise.all([error.exited, waited]).then(() => {
        this.#stuck.delete(name);
        this.#onRecovered(name);
      });
      throw this.#createError(name, error.message);
    }
  }

  #createError(name: string, reason: string): CoreError {
    return new CoreError('conflict', say('volumes.notResponding', { name, reason }), { field: 'name' });
  }
}
