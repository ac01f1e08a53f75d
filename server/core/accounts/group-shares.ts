import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { AccountsStore } from './accounts-store.ts';
import type { AccountDatabase } from './account-database.ts';
import type { DirectorySteps } from './directory-steps.ts';
import { getHelperNames, hasRoles } from './licorn-roles.ts';
import { archiveShare, createShare, getSharePath, renameShare } from './shared-directories.ts';
import {
  applyShareDirectoryAcl,
  readSharePermissive,
  restoreShareAcls,
  saveShareAcls,
  type ShareGids,
} from './share-acls.ts';
import { resolveUnderRoot } from './homes.ts';
import { quoted, say } from '../messages.ts';

// The shared directories of standard groups, kept in step with the groups by the accounts
// service (accounts-service.ts): made with their ACL when a group is created, renamed and
// archived with it, and permissive or not.
// Where a permissive switch journals the repair of its share's tree before it commits (the
// shares service's journal, server/core/shares): a crash right after the commit still
// resumes the repair. `want` says whether it journaled a repair that was not there.
export interface ShareRepairJournal {
  want(gid: number, name: string): Promise<boolean>;
  forget(gid: number): Promise<void>;
}

export class GroupShares {
  readonly #store: AccountsStore;
  readonly #events: EventBus;
  // Set by the shares service while it runs.
  repairJournal: ShareRepairJournal | null = null;
  // Whether each standard group's share is permissive, read from its ACL when first asked.
  readonly #permissive = new Map<string, boolean | null>();

  constructor(store: AccountsStore, events: EventBus) {
    this.#store = store;
    this.#events = events;
  }

  // Makes the share of a new group, if it is a standard one (it has helper groups): a step
  // of the group's transaction, before the files are written (`db` holds the new group).
  async create(db: AccountDatabase, steps: DirectorySteps, name: string): Promise<void> {
    if (!hasRoles(db, name)) return;
    const aclGid = db.group.get('acl')?.gid ?? null;
    await createShare(this.#store.root, steps, name, this.#getShareGids(db, name), { aclGid });
    steps.onCommit(() => this.#permissive.set(name, false));
  }

  // Whether a standard group's members may change every file of its share, not only their
  // own (Licorn's *permissive*: the `w` of the group in the share's default ACL). Null for
  // a group without a share, or a share without Licorn's ACL.
  async getPermissive(name: string): Promise<boolean | null> {
    if (!hasRoles(this.#store.database, name)) return null;
    if (this.#permissive.has(name)) return this.#permissive.get(name)!;
    const permissive = await readSharePermissive(
      join(this.#store.root, getSharePath(name)),
      this.#store.database.group.get(name)!.gid,
    );
    // Unknown is not kept: the share may be on its way (create runs after the group's transaction).
    if (permissive !== null) this.#permissive.set(name, permissive);
    return permissive;
  }

  // Makes a standard group permissive or not, as a step of its transaction (updateGroup):
  // the share's own directory gets the new ACL (its default ACL is where the flag is read),
  // after a copy of what it was is taken to put back if the transaction does not commit.
  // The rest of the tree follows in the background once committed: the shares service
  // (server/core/shares) hears `group-changed` (field `permissive`) and repairs the tree
  // through the watcher, with progress, cancellable, resumed after a restart.
  async setPermissiveStep(
    db: AccountDatabase,
    steps: DirectorySteps,
    name: string,
    permissive: boolean,
  ): Promise<void> {
    const share = await resolveUnderRoot(this.#store.root, getSharePath(name));
    await checkShareIsDirectory(share, name);
    const gids = this.#getShareGids(db, name);
    // Journaled first: once the directory's ACL says the new rule, a crash at any point
    // (before or after the commit) finds the repair of the tree to resume.
    const journal = this.repairJournal;
    const gid = db.group.get(name)!.gid;
    if (journal !== null) {
      await steps.run(
        `journal the repair of the share ${name}`,
        () => journal.want(gid, name),
        async (added) => {
          if (added) await journal.forget(gid);
        },
      );
    }
    await steps.run(
      `set the ACL of the share ${name}`,
      async () => {
        const saved = await saveShareAcls(share, { recursive: false });
        await applyShareDirectoryAcl(share, gids, permissive).catch(async (error: unknown) => {
          await restoreShareAcls(saved);
          throw error;
        });
        return saved;
      },
      // A read of the flag made meanwhile (a view) may have cached the uncommitted ACL.
      async (saved) => {
        await restoreShareAcls(saved);
        this.#permissive.delete(name);
      },
    );
    // The cache says the committed value before the rename's and the switch's events are heard:
    // the shares service gives the watcher its rule from it (a rule read from the share's ACL
    // then could be what the watcher, still under the old rule, had just put back).
    steps.onCommit(() => this.#permissive.set(name, permissive));
    steps.afterCommit(async () => {
      this.#events.emit('group-changed', 'groups', { name, fields: ['permissive'] });
    });
  }

  // Archives the share of a deleted group (a step of its transaction); returns where it goes.
  async archive(steps: DirectorySteps, name: string): Promise<string | null> {
    steps.onCommit(() => this.#permissive.delete(name));
    return archiveShare(this.#store.root, steps, name);
  }

  // Renames the share of a renamed group (a step of its transaction).
  async rename(steps: DirectorySteps, name: string, newName: string): Promise<void> {
    await renameShare(this.#store.root, steps, name, newName, 'newName');
    // The ACL names GIDs, which a rename keeps: only the cache's key moves.
    steps.onCommit(() => {
      if (this.#permissive.has(name)) this.#permissive.set(newName, this.#permissive.get(name)!);
      this.#permissive.delete(name);
    });
  }

  // The GIDs a standard group's share ACL names, in the files as they are (null: not a
  // standard group), for the shares service's rule.
  getShareGids(name: string): ShareGids | null {
    return hasRoles(this.#store.database, name) ? this.#getShareGids(this.#store.database, name) : null;
  }

  // The GIDs a standard group's share ACL names.
  #getShareGids(db: AccountDatabase, name: string): ShareGids {
    const helpers = getHelperNames(name);
    return {
      group: db.group.get(name)!.gid,
      responsibles: db.group.get(helpers.responsibles)!.gid,
      guests: db.group.get(helpers.guests)!.gid,
      admins: db.group.get('admins')?.gid ?? null,
    };
  }
}

// A share removed or replaced outside Licorn (by hand, a restore) gets a refusal that says
// so, not a server error with the daemon's own path; a symlink is never followed into.
async function checkShareIsDirectory(share: string, name: string): Promise<void> {
  const found = await lstat(share).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (found?.isDirectory()) return;
  throw new CoreError(
    found ? 'conflict' : 'not-found',
    say(found ? 'shares.notDirectory' : 'shares.missing', { name: quoted(name), path: `/${getSharePath(name)}` }),
    { field: 'permissive' },
  );
}
