import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventBus } from '../events/event-bus.ts';
import { getShadowDay } from '../auth/get-login-refusal.ts';
import { applyPamHashMethod } from '../auth/pam-hash-method.ts';
import { watchDirectory } from '../watch/watch-directory.ts';
import {
  AccountDatabase,
  databaseNames,
  databasePaths,
  getFileTag,
  readDatabaseBytes,
  type DatabaseName,
  type FileTag,
} from './account-database.ts';
import { diffAccountDatabases, diffNames } from './diff-account-databases.ts';
import { lockAccountFiles } from './files/lock-account-files.ts';
import { readAppendedBytes } from './files/read-appended-bytes.ts';
import { syncDirectory } from './files/write-account-file.ts';
import { AccountFileMovedError } from './files/append-account-files.ts';
import { commitAccountFiles, type AccountFileWrite } from './files/commit-account-files.ts';
import { hasAppendJournal, recoverAppendJournal } from './files/append-journal.ts';
import { DirectorySteps } from './directory-steps.ts';
import { flushNameCaches } from './files/flush-name-caches.ts';
import { SubordinateIdFiles } from './files/subordinate-id-files.ts';
import { getSubordinateChange } from './subordinate-ids.ts';
import { applyAccountRanges, getRangesConflict } from './account-ranges.ts';
import { parseLoginDefs, parseShells, type LoginDefs } from './parse-login-defs.ts';
import { parseHomeBase } from './home-paths.ts';
import { collectAfterBurst } from '../memory/collect-after-burst.ts';
import type { OperationContext } from './account-operations.ts';
import { HomeOwners } from './home-owners.ts';
import { CoreError } from '../errors.ts';
import { say } from '../messages.ts';

// The changed names from which a transaction is a burst, worth a full collection after it.
const burstNames = 1000;

export interface AccountsStoreOptions {
  root: string;
  events: EventBus;
  // Milliseconds an operation waits for shadow-utils' locks before answering `busy`.
  lockTimeoutMs?: number;
}

// The cached account files of a root, kept in step with the disk. Every change runs through one
// queue: under shadow-utils' locks it re-reads what changed outside, applies the change in a
// transaction (rolled back if it throws or a write fails), writes the files it changed all or
// nothing (subuid and subgid with them, kept in step with passwd as shadow-utils does; rewritten
// and renamed, or a create appended under an undo journal: commit-account-files.ts), then emits the
// diff as events. Outside changes seen by the watcher take the same road, so an event is never
// reported twice and never before its write is durable.
export class AccountsStore {
  readonly root: string;
  readonly etcDir: string;
  readonly #events: EventBus;
  readonly #lockTimeoutMs: number | undefined;
  #db!: AccountDatabase;
  #tags = new Map<DatabaseName, FileTag>();
  #defs!: LoginDefs;
  #shells: string[] = [];
  #homeBase = '/home';
  #queue: Promise<unknown> = Promise.resolve();
  #stopWatching: (() => void) | null = null;
  #stopWatchingPam: (() => void) | null = null;
  #revision = 0;
  readonly #subordinateIds: SubordinateIdFiles;
  // Awaited after each committed transaction, its events emitted: what follows the files
  // (the shares service's ~/G links) is done before the operation answers.
  followCommit: (() => Promise<void>) | null = null;
  // Who owns the directories under the homes base: a UID that still owns one is never
  // handed out (account-processes.ts getUidsInUse), read again only where it changed.
  readonly homeOwners = new HomeOwners();

  private constructor(options: AccountsStoreOptions) {
    this.root = options.root;
    this.etcDir = join(options.root, 'etc');
    this.#events = options.events;
    this.#lockTimeoutMs = options.lockTimeoutMs;
    this.#subordinateIds = new SubordinateIdFiles(this.etcDir);
  }

  // Reads the files and starts watching them.
  static async open(options: AccountsStoreOptions): Promise<AccountsStore> {
    const store = new AccountsStore(options);
    await store.#readSettings();
    if (hasAppendJournal(store.etcDir)) {
      const names = await store.#subordinateIds.findPresent();
      const release = await lockAccountFiles(
        store.etcDir,
        [...databaseNames.map((name) => databasePaths[name]), ...names],
        store.#lockTimeoutMs,
      );
      try {
        reportRecovery(await recoverAppendJournal(store.etcDir));
      } finally {
        await release();
      }
    }
    const files = await Promise.all(
      databaseNames.map(async (name) => {
        const tag = await getFileTag(join(store.etcDir, databasePaths[name]));
        store.#tags.set(name, tag);
        return [name, await readDatabaseBytes(store.etcDir, name)] as const;
      }),
    );
    store.#db = AccountDatabase.fromBytes(Object.fromEntries(files) as Record<DatabaseName, Buffer>);
    // shadow-utils removes its `<file>.lock` files once all its files are written: that is
    // when an outside change is complete, sooner than any quiet time would tell.
    const shadowFiles = ['passwd', 'shadow', 'group', 'gshadow'];
    const busyMarkers = shadowFiles.map((name) => `${name}.lock`);
    store.#stopWatching = watchDirectory(
      store.etcDir,
      [...shadowFiles, 'login.defs', 'shells'],
      (changed) => {
        store.#events.emit('watch-changed', 'watch', { watcher: 'accounts', names: [...changed].sort() });
        void store
          .#enqueue(async () => {
            if (changed.has('login.defs') || changed.has('shells')) await store.#readSettings();
            await store.#refresh();
          })
          .catch(() => {});
      },
      { busyMarkers },
    );
    // On the real machine passwords are hashed as PAM's password stack says (readSettings).
    if (store.root === '/') {
      store.#stopWatchingPam = watchDirectory(join(store.etcDir, 'pam.d'), ['common-password'], () => {
        void store.#enqueue(() => store.#readSettings()).catch(() => {});
      });
    }
    return store;
  }

  // Grows with every change of the files (ours or from outside): what is computed from the
  // database can be kept until it moves.
  get revision(): number {
    return this.#revision;
  }

  // The current database (do not change it: operations work on clones).
  get database(): AccountDatabase {
    return this.#db;
  }

  // What operations need to know of the machine now.
  get context(): OperationContext {
    return { defs: this.#defs, shells: this.#shells, today: getShadowDay(), homeBase: this.#homeBase };
  }

  // Runs `change` on the freshest database under the files' locks, then `prepare` (the
  // directory work of the change: homes, shares, as undoable steps), writes what changed,
  // emits the events; returns what `change` returned. A change that throws, or a step or a
  // write that fails, leaves every file and directory as it was. Work kept for after the
  // commit (removing a tree for good) runs last; its problems land in `steps.warnings`.
  transact<T>(
    change: (db: AccountDatabase, context: OperationContext) => T,
    prepare?: (result: T, steps: DirectorySteps, db: AccountDatabase, context: OperationContext) => Promise<void>,
    steps = new DirectorySteps(),
  ): Promise<T> {
    const once = async (): Promise<T> => {
      // Licorn's own files (group descriptions) live in etc/licorn/.
      await mkdir(join(this.etcDir, 'licorn'), { recursive: true });
      const subordinateNames = await this.#subordinateIds.findPresent();
      const release = await lockAccountFiles(
        this.etcDir,
        [...databaseNames.map((name) => databasePaths[name]), ...subordinateNames],
        this.#lockTimeoutMs,
      );
      let committed = false;
      try {
        // An append a crash stopped halfway is finished or undone before the files are read.
        if (hasAppendJournal(this.etcDir)) reportRecovery(await recoverAppendJournal(this.etcDir));
        await this.#refresh();
        const db = this.#db;
        // Changed in place with an undo journal. Readers may see the change during the
        // write below (milliseconds); events wait until it is durable.
        db.begin();
        // Moved on at the start and at the end: anything computed from the database while
        // it is being changed (or rolled back) is never taken for its final state.
        this.#revision += 1;
        let result: T;
        try {
          const context = this.context;
          result = change(db, context);
          if (prepare) await prepare(result, steps, db, context);
          const changed = databaseNames.filter((name) => db.isChanged(name));
          const subordinateChange = subordinateNames.length > 0 ? getSubordinateChange(db, context.defs) : null;
          const subordinate = subordinateChange
            ? await this.#subordinateIds.plan(subordinateChange, context.defs)
            : null;
          const { directories, tags } = await commitAccountFiles(this.etcDir, [
            ...changed.map((name) => this.#fileWrite(db, name)),
            ...(subordinate?.writes ?? []),
          ]);
          committed = true;
          // Each file's tag as our write left it; none when a writer without lock wrote
          // beside ours: read again at the next change (subuid and subgid too).
          for (const name of changed) {
            const tag = tags.get(join(this.etcDir, databasePaths[name]));
            if (tag === undefined) this.#tags.delete(name);
            else this.#tags.set(name, tag);
          }
          subordinate?.remember(tags);
          for (const directory of directories) await syncDirectory(directory);
          if (changed.length > 0 && this.root === '/') await flushNameCaches((message) => process.emitWarning(message));
        } catch (error) {
          if (committed) throw error;
          await steps.rollback();
          db.rollback();
          this.#revision += 1;
          throw error;
        }
        const { logins, groups, before } = db.commit();
        steps.commit();
        this.#revision += 1;
        for (const event of diffNames(before, db, logins, groups))
          this.#events.emit(event.name, event.facility, event.data as never);
        if (logins.size + groups.size >= burstNames) collectAfterBurst();
        return result;
      } finally {
        await release();
        if (committed) await steps.finish();
        if (committed) await this.followCommit?.();
      }
    };
    // A writer that takes no lock changed a file while we appended (nothing written, all
    // rolled back): again, on the files read again, in the same turn of the queue. Each try
    // is a new race of milliseconds that writer must win again; one that keeps appending
    // (a loop in a script) gets `busy` after a few, as a lock held too long does.
    return this.#enqueue(async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await once();
        } catch (error) {
          if (!(error instanceof AccountFileMovedError)) throw error;
          if (attempt === appendAttempts)
            throw new CoreError('busy', say('files.changingWithoutLock', { dir: this.etcDir }), { field: 'files' });
        }
      }
    });
  }

  // Runs `write`, a writer of the account files that takes lckpwdf(3) itself (PAM's
  // chauthtok in this process), in the queue: never beside a transaction of ours, whose
  // fcntl lock on .pwd.lock the same process would not exclude (and would drop on closing
  // its own descriptor). Then reads what it changed and emits the events.
  applyOutsideWrite<T>(write: () => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      try {
        return await write();
      } finally {
        await this.#refresh();
      }
    });
  }

  // Waits for everything queued so far (tests, shutdown).
  async settle(): Promise<void> {
    await this.#enqueue(async () => {});
  }

  // Stops watching; waits for the operations in flight.
  async close(): Promise<void> {
    this.#stopWatching?.();
    this.#stopWatching = null;
    this.#stopWatchingPam?.();
    this.#stopWatchingPam = null;
    this.homeOwners.close();
    await this.settle();
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  // Re-reads the files whose tag changed since we last read or wrote them, and emits the
  // differences. Never reads shadow just to learn whether it changed.
  async #refresh(): Promise<void> {
    const tags = await Promise.all(databaseNames.map((name) => getFileTag(join(this.etcDir, databasePaths[name]))));
    const changed = databaseNames.filter((name, i) => tags[i] !== this.#tags.get(name));
    databaseNames.forEach((name, i) => this.#tags.set(name, tags[i]!));
    if (changed.length === 0) return;
    // useradd and groupadd append: when every changed file is its kept bytes followed by
    // whole lines, only those are read, parsed and diffed (side by side: passwd and shadow
    // are 7 and 3 MB at 100,000 accounts).
    const tails = await Promise.all(
      changed.map((name) => {
        const kept = this.#db[name].getKeptBytes();
        return kept === null ? null : readAppendedBytes(join(this.etcDir, databasePaths[name]), kept);
      }),
    );
    if (tails.every((tail) => tail !== null)) {
      const appended = this.#db.appendOutside(new Map(changed.map((name, i) => [name, tails[i]!])));
      this.#revision += 1;
      for (const event of diffNames(appended.before, this.#db, appended.logins, appended.groups))
        this.#events.emit(event.name, event.facility, event.data as never);
      return;
    }
    const files = new Map(
      await Promise.all(changed.map(async (name) => [name, await readDatabaseBytes(this.etcDir, name)] as const)),
    );
    const before = this.#db;
    let next = before;
    for (const [name, bytes] of files) next = next.withText(name, bytes.toString('utf8'), bytes);
    this.#db = next;
    this.#revision += 1;
    this.#emit(before, next);
  }

  // One database file's write: its bytes appended when the transaction only added lines.
  #fileWrite(db: AccountDatabase, name: DatabaseName): AccountFileWrite {
    const path = join(this.etcDir, databasePaths[name]);
    const appended = db[name].renderAppend();
    return {
      path,
      mode: name.endsWith('shadow') ? 0o640 : 0o644,
      render: () => db.renderBytes(name),
      append: appended && { path, tag: this.#tags.get(name) ?? 'missing', ...appended },
    };
  }

  #emit(before: AccountDatabase, after: AccountDatabase): void {
    for (const change of diffAccountDatabases(before, after))
      this.#events.emit(change.name, change.facility, change.data as never);
  }

  async #readSettings(): Promise<void> {
    const [defs, shells, useradd] = await Promise.all([
      readFile(join(this.etcDir, 'login.defs'), 'utf8').catch(() => ''),
      readFile(join(this.etcDir, 'shells'), 'utf8').catch(() => ''),
      readFile(join(this.etcDir, 'default/useradd'), 'utf8').catch(() => ''),
    ]);
    this.#homeBase = parseHomeBase(useradd);
    const parsed = parseLoginDefs(defs);
    // The configured ranges must fit login.defs: refused at start, said when it changes later.
    const conflict = getRangesConflict(parsed);
    if (conflict !== null && this.#defs === undefined) throw new Error(`licornd: ${conflict}`);
    if (conflict !== null) process.emitWarning(`licornd: ${conflict}`);
    this.#defs = applyAccountRanges(parsed);
    if (this.root === '/') {
      const commonPassword = await readFile(join(this.etcDir, 'pam.d/common-password'), 'utf8').catch(() => '');
      this.#defs = applyPamHashMethod(this.#defs, commonPassword);
    }
    this.#shells = parseShells(shells);
    if (this.#shells.length === 0) this.#shells = ['/bin/sh'];
  }
}

// How many times a transaction is tried while a writer without lock changes the files.
export const appendAttempts = 4;

// Says on stderr what the recovery of an append did (after a crash: worth a line in the log).
function reportRecovery(message: string | null): void {
  if (message !== null) process.emitWarning(`licornd: ${message}`);
}
