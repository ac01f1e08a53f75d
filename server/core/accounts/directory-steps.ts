import { CoreError } from '../errors.ts';
import { say } from '../messages.ts';

// The directory work of one transaction (homes made, moved aside, archived; shares made or
// renamed), done before the account files are written and undone if anything after fails:
// a refused or failed operation leaves no directory behind. Work that cannot be undone
// (removing a tree for good) waits in `afterCommit` until the files are written.
export class DirectorySteps {
  readonly #undo: { label: string; undo: () => Promise<void> }[] = [];
  readonly #afterCommit: (() => Promise<void>)[] = [];
  readonly #onCommit: (() => void)[] = [];
  // What went wrong after the commit (the operation is done; these are said, not thrown).
  readonly warnings: string[] = [];

  // Runs one step; `undo` is kept to reverse it if the transaction does not commit.
  async run<T>(label: string, step: () => Promise<T>, undo?: (result: T) => Promise<void>): Promise<T> {
    hitFaultPoint(label);
    const result = await step();
    if (undo) this.#undo.push({ label, undo: () => undo(result) });
    return result;
  }

  // Work for after the files are written (it cannot be undone).
  afterCommit(work: () => Promise<void>): void {
    this.#afterCommit.push(work);
  }

  // State to take on at the commit itself, before its events are heard (a cache that says
  // what the files now say): whoever reacts to the events reads the committed state, never
  // the old one, and never an uncommitted one (the transaction's steps are on disk by then).
  onCommit(work: () => void): void {
    this.#onCommit.push(work);
  }

  // Takes on the committed state (accounts-store.ts, right after the files are committed).
  commit(): void {
    for (const work of this.#onCommit.splice(0)) work();
  }

  // Reverses every step made, newest first. A step that cannot be reversed is reported as
  // a warning (and on stderr): the caller's error still says what failed first.
  async rollback(): Promise<void> {
    for (const { label, undo } of this.#undo.reverse()) {
      await undo().catch((error: unknown) => {
        const message = `could not undo ${label}: ${(error as Error).message}`;
        this.warnings.push(message);
        process.emitWarning(message);
      });
    }
    this.#undo.length = 0;
    this.#afterCommit.length = 0;
    this.#onCommit.length = 0;
  }

  // Runs the work kept for after the commit; returns the warnings.
  async finish(): Promise<string[]> {
    this.#undo.length = 0;
    for (const work of this.#afterCommit.splice(0)) {
      await work().catch((error: unknown) => {
        this.warnings.push((error as Error).message);
      });
    }
    return this.warnings;
  }
}

// A test hook: when set, the Nth filesystem step from now (directory steps and the staging
// of each account file) throws, as a full disk or an I/O error would. The property test
// drives it to show that a failure at any step leaves the sandbox as it was.
const faults = { countdown: null as number | null, seen: 0 };

// Makes the `n`th step from now fail (1 = the next one); null stops failing. Returns the
// number of steps seen since the last call.
export function setFaultPoint(n: number | null): number {
  const seen = faults.seen;
  faults.countdown = n;
  faults.seen = 0;
  return seen;
}

// Called before each filesystem step; throws when the chosen step is reached.
export function hitFaultPoint(label: string): void {
  faults.seen += 1;
  if (faults.countdown === null) return;
  faults.countdown -= 1;
  if (faults.countdown === 0) {
    faults.countdown = null;
    throw new CoreError('internal-error', say('tests.injectedFailure', { label }), { field: 'files' });
  }
}
