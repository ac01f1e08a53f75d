import type { AuditLog } from '../audit/audit-log.ts';
import { CoreError } from '../errors.ts';
import { QueueRefusals } from './queue-refusals.ts';
import { detachedLazily } from './volume-actions.ts';
import type { VolumeActor } from './volumes-api.ts';
import { say } from '../messages.ts';

// Actions that may wait in the queue: each re-reads the machine and may probe devices, so a
// flood of requests is refused at once rather than queued for minutes.
const maxWaitingActions = 32;

// The volumes service's one queue: every reading of the machine and every action runs in it,
// one at a time, so an action acts on the state it just read and its event follows the
// durable change. Actions are audited (refusals too) and refused at once when too many wait;
// readings asked while one waits join it (a burst of watcher events costs one reading).
export class VolumeQueue {
  readonly #audit: AuditLog;
  readonly #refusals: QueueRefusals;
  #queue: Promise<unknown> = Promise.resolve();
  #pending: { force: Set<string>; done: Promise<void> } | null = null;
  #waitingActions = 0;
  #closed = false;

  constructor(audit: AuditLog) {
    this.#audit = audit;
    this.#refusals = new QueueRefusals(audit);
  }

  get closed(): boolean {
    return this.#closed;
  }

  // Volume actions refused because the queue was full, since start.
  get refusals(): number {
    return this.#refusals.total;
  }

  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  // Queues a reading of the machine, `name` probed again; joins the one waiting, if any.
  enqueueReading(name: string | undefined, read: (force: Set<string>) => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#pending) {
      if (name) this.#pending.force.add(name);
      return this.#pending.done;
    }
    const force = new Set(name ? [name] : []);
    const done = this.enqueue(async () => {
      this.#pending = null;
      await read(force);
    });
    this.#pending = { force, done };
    return done;
  }

  // Runs an action in the queue and writes its outcome to the audit log (refusals too).
  enqueueAction<T>(
    actor: VolumeActor,
    action: string,
    target: string,
    run: () => Promise<{ result: T; detail: string }>,
  ): Promise<T> {
    const who = { login: actor.login, address: actor.address, action, target: String(target).slice(0, 80) };
    if (this.#closed) return Promise.reject(new CoreError('conflict', say('volumes.shuttingDown')));
    if (this.#waitingActions >= maxWaitingActions) {
      // Counted and audited at a bounded rate: a flood of refusals never floods the audit log.
      const error = new CoreError('busy', say('volumes.tooManyWaiting', { max: maxWaitingActions }));
      this.#refusals.count(actor, action, error.message);
      return Promise.reject(error);
    }
    this.#waitingActions += 1;
    return this.enqueue(async () => {
      this.#waitingActions -= 1;
      try {
        // The actor's rights now, not when the request joined the queue (a member demoted
        // while the action waited no longer acts: red team's M4).
        actor.checkRights?.();
        const { result, detail } = await run();
        await this.#audit.record({ ...who, outcome: 'done', detail });
        return result;
      } catch (error) {
        // A forced unmount detached lazily did change the machine, without the outcome asked.
        const lazily = error instanceof CoreError && error.cause === detachedLazily;
        const refused = error instanceof CoreError && error.code !== 'internal-error' && !lazily;
        const detail = (error as Error).message.slice(0, 300);
        await this.#audit.record({ ...who, outcome: refused ? 'refused' : 'failed', detail });
        throw error;
      }
    });
  }

  // Refuses new work, writes the refusals' last count and waits for what is queued.
  async close(): Promise<void> {
    this.#closed = true;
    await this.#refusals.flush();
    await this.#queue.catch(() => {});
  }
}
