import { join } from 'node:path';
import type { AccountsService } from '../accounts/accounts-service.ts';
import { getSharePath } from '../accounts/shared-directories.ts';
import { applyShareDirectoryAcl, readSharePermissive } from '../accounts/share-acls.ts';
import { quote } from '../accounts/validate-fields.ts';
import type { ShareDirectories } from './share-directories.ts';
import type { ShareWalks } from './share-walks.ts';
import type { StandardShare } from './standard-shares.ts';

// What following the shares' own directories needs of the shares service.
export interface ShareRootsHost {
  root: string;
  accounts: AccountsService;
  directories: ShareDirectories;
  walks: ShareWalks;
  warn: (message: string) => void;
  // A share watched now by its GID (undefined: not a watched share, or the service closed).
  getWatchedShare(gid: number): StandardShare | undefined;
  // Waits for the service's queue as it is now.
  settle(): Promise<void>;
  // Runs a task in the service's queue.
  enqueue(task: () => Promise<void>): Promise<void>;
  // Gives the watcher a share's rule again (with `repair`: correcting as it walks).
  watch(gid: number, name: string, repair: boolean, announce: boolean): Promise<void>;
}

// Follows what the watcher reports of the shares' own directories (its batches'
// rootsChanged and rootsMoved): an ACL changed by hand, a directory moved, removed or
// restored. The re-check of a gone directory is share-directories.ts's.
export class ShareRoots {
  readonly #host: ShareRootsHost;

  constructor(host: ShareRootsHost) {
    this.#host = host;
  }

  // A share's own directory changed by hand (only root can: an admin's `setfacl`). Licorn
  // keeps no permissive flag but this ACL (REFERENCE.md "Groups and roles"): a default ACL
  // whose group entry gained or lost `w` is the group made permissive or not, and the core
  // follows it as if asked (the transaction, its event, the repair of the tree). Any other
  // change is not a rule Licorn knows: the directory is put back to the committed rule.
  // Decided once the accounts and the service are settled: the change may be the core's own
  // (a switch's transaction sets the directory before its commit, a rollback puts it back),
  // and only then does the committed flag say it. Not in the service's queue: a commit
  // waits for that queue (settle), and this waits for the commit.
  async followChange(gid: number): Promise<void> {
    const { accounts, root } = this.#host;
    await accounts.settle();
    await this.#host.settle();
    const share = this.#host.getWatchedShare(gid);
    if (share === undefined) return;
    const path = join(root, getSharePath(share.name));
    const gids = accounts.getShareGids(share.name);
    const committed = await accounts.getPermissive(share.name);
    if (gids === null || committed === null) return;
    const now = await readSharePermissive(path, gid);
    if (now !== null && now !== committed) {
      this.#host.warn(
        `shares: ${path}: its default ACL was changed by hand to a ${now ? '' : 'non-'}permissive one; ` +
          `the group ${quote(share.name)} follows it`,
      );
      await accounts.setPermissive(share.name, now);
      return;
    }
    await applyShareDirectoryAcl(path, gids, committed);
  }

  // A share's own directory moved or removed (root's `mv alpha alpha.old; cp -a alpha.old alpha`, a restore):
  // the watcher held the old one (red team F7). Its path is looked at again once the accounts are settled (a
  // group's rename moves it, and gives the watcher the new path): another directory there is given the rule
  // again, with a correcting walk; none (or a symlink) unwatches the share, said once, until a directory is back.
  async followMove(gid: number): Promise<void> {
    const host = this.#host;
    await host.accounts.settle();
    await host.enqueue(async () => {
      const share = host.getWatchedShare(gid);
      if (share === undefined) return;
      const path = join(host.root, getSharePath(share.name));
      const state = await host.directories.check(gid, path);
      if (state === 'same') return;
      if (state === 'other') return host.watch(gid, share.name, true, false);
      host.walks.remove(gid);
      share.watched = false;
      host.directories.setGone(gid);
      host.warn(`shares: ${path}: the share's directory is gone (moved or removed); watched again once it is back`);
    });
  }
}
