import { readSessionFile, writeSessionFile, type StoredSession } from './session-file.ts';

// How long a session's "last seen" may wait before it is saved: requests never write the
// file themselves (the login page's keep-alive throughput is benchmarked).
const lastSeenSaveDelayMs = 5000;

// Keeps the sessions file in step with the store: a session opened, closed or downgraded is
// saved at once (a logout must not come back with a restart), a mere "last seen" within a
// few seconds, and everything at close. Saves run one at a time; one asked while another
// runs is made after it, with the state of then.
export class SessionFileKeeper {
  readonly #path: string;
  readonly #getSessions: () => StoredSession[];
  readonly #warn: (message: string) => void;
  #saving: Promise<void> = Promise.resolve();
  #queued = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(path: string, getSessions: () => StoredSession[], warn: (message: string) => void) {
    this.#path = path;
    this.#getSessions = getSessions;
    this.#warn = warn;
  }

  // The sessions the file holds (none when it is absent or damaged).
  read(): Promise<StoredSession[]> {
    return readSessionFile(this.#path, this.#warn);
  }

  // Saves soon, in the background (a session opened or closed).
  saveNow(): void {
    void this.#save();
  }

  // Saves within a few seconds (a session was used).
  saveLater(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.#save(), lastSeenSaveDelayMs);
    this.#timer.unref();
  }

  // Saves the last state and waits for it (shutdown).
  async close(): Promise<void> {
    await this.#save();
  }

  #save(): Promise<void> {
    if (this.#queued) return this.#saving;
    this.#queued = true;
    this.#saving = this.#saving.then(async () => {
      this.#queued = false;
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      await writeSessionFile(this.#path, this.#getSessions()).catch((error: NodeJS.ErrnoException) => {
        const reason = error.code ?? error.message;
        this.#warn(`sessions file ${this.#path}: cannot save (${reason}); sessions may not survive a restart`);
      });
    });
    return this.#saving;
  }
}
