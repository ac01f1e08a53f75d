import { lchown, lstat, mkdir, readdir, readFile, realpath, rename, rm, rmdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, posix, relative } from 'node:path';
import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { DirectorySteps } from './directory-steps.ts';
import { archivesBase, getHomeOverlap, getPathProblem, isWithin, normalizeHome } from './home-paths.ts';
import { createHome } from './homes.ts';
import { type CoreMessage, quoted, renderMessage, say } from '../messages.ts';

const daemonUid = process.getuid?.() ?? 0;

// What deleting an account does with its home.
export type HomeDisposal = 'archive' | 'remove' | 'keep';

// What will really happen to a home when its account is deleted, said before anything is
// done: `action` is what was asked, or `keep` (with the reason in `warning`) when the home
// is not the account's own directory to move or remove, or `none` when there is no home.
// `warning` is English (scripts, the audit); `warningMessage` the same, said in each
// reader's language (pages, the browser's confirmation, the CLI).
export interface HomePlan {
  home: string;
  asked: HomeDisposal;
  action: HomeDisposal | 'none';
  warning: string | null;
  warningMessage: CoreMessage | null;
}

// Where `path` (on the managed machine) really leads: its existing part with symlinks
// resolved, the rest as given; null when that leaves the root.
export async function resolveOnDisk(root: string, path: string): Promise<string | null> {
  const realRoot = await realpath(root);
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    const real = await realpath(join(root, existing)).catch(() => null);
    if (real !== null) {
      const inside = relative(realRoot, real);
      if (inside.startsWith('..') || posix.isAbsolute(inside)) return null;
      return posix.join('/', inside, ...rest.reverse());
    }
    if (existing === '/') return null;
    rest.push(posix.basename(existing));
    existing = posix.dirname(existing);
  }
}

// The disk side of a new home (checkHomePath did the rest): it does not exist yet, and
// with symlinks resolved it still lies under the home base, clear of what the rule protects.
// A home an account is pointed at (mayExist) may already exist; one to create may not.
export async function checkNewHomeOnDisk(
  root: string,
  db: AccountDatabase,
  login: string,
  home: string,
  homeBase: string,
  field = 'home',
  options: { mayExist?: boolean } = {},
): Promise<void> {
  const real = await resolveOnDisk(root, home);
  const realBase = await resolveOnDisk(root, homeBase);
  const allowed =
    real !== null &&
    realBase !== null &&
    (real === home ||
      (isWithin(real, realBase) && real !== realBase && getPathProblem(db, login, real, homeBase) === null));
  if (!allowed) {
    const target = real ?? say('homes.outsideRoot');
    const message = say('homes.throughLink', { home: quoted(home), target });
    throw new CoreError('invalid-argument', message, { field });
  }
  if (!options.mayExist && (await exists(join(root, home)))) {
    const message = say('homes.exists', { home: quoted(home) });
    throw new CoreError('already-exists', message, { field });
  }
}

const exists = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

// Whether a home whose directory belongs to `ownerUid` is the account's own to archive or
// remove (as userdel -r checks): it belongs to the account's UID. A daemon that is not root
// (the demo) cannot give its homes away, so every home it made is its own: there, a home
// owned by the daemon's UID counts as the account's too, but only when no other account
// shares it (`shared`: it is, lies inside or contains another account's home, however
// spelled), since the owner then says nothing of whose it is. Anything else (a home owned
// by another UID, root's included) is kept, root daemon or not.
export function isOwnHome(ownerUid: number, accountUid: number, shared: boolean, runningUid = daemonUid): boolean {
  return ownerUid === accountUid || (runningUid !== 0 && ownerUid === runningUid && !shared);
}

// Says what deleting `account` will do with its home: only a real directory (not a link,
// not reached through one, not a mount point) that the account owns (isOwnHome), and that
// the path rule allows, is archived or removed; anything else is left in place with the
// reason. The home is taken normalized (`/home/admin/` is `/home/admin`: normalizeHome).
export async function getHomePlan(
  root: string,
  db: AccountDatabase,
  account: { login: string; uid: number; home: string },
  asked: HomeDisposal,
  homeBase: string,
): Promise<HomePlan> {
  const { login, uid } = account;
  const home = normalizeHome(account.home);
  const keep = (reason: CoreMessage): HomePlan => {
    const message = say('homes.leftInPlace', { home, reason });
    return { home, asked, action: 'keep', warning: renderMessage(message, 'en'), warningMessage: message };
  };
  const none = { warning: null, warningMessage: null };
  if (asked === 'keep') return { home, asked, action: 'keep', ...none };
  const problem = getPathProblem(db, login, home, homeBase);
  if (problem !== null) return keep(problem);
  if ((await resolveOnDisk(root, posix.dirname(home))) !== posix.dirname(home)) {
    return keep(say('homes.keep.throughLink'));
  }
  const info = await lstat(join(root, home)).catch(() => null);
  if (info === null) return { home, asked, action: 'none', ...none };
  if (info.isSymbolicLink()) return keep(say('homes.keep.symlink'));
  if (!info.isDirectory()) return keep(say('homes.keep.notDirectory'));
  // A mount point (NFS, autofs, a bind mount) cannot be renamed away: the system's to undo.
  if (await isMountPoint(join(root, home), info.dev)) {
    return keep(say('homes.keep.mountPoint'));
  }
  // (The path rule has refused a shared home already; said again where the rule is stated.)
  if (!isOwnHome(info.uid, uid, getHomeOverlap(db, login, home) !== null)) {
    return keep(say('homes.keep.otherOwner', { owner: info.uid, login, uid }));
  }
  return { home, asked, action: asked, ...none };
}

// Whether a directory is a mount point: another device than its parent's, or (a bind mount
// of the same filesystem keeps the device) listed in /proc/self/mountinfo.
async function isMountPoint(path: string, dev: number): Promise<boolean> {
  const parent = await lstat(posix.dirname(path)).catch(() => null);
  if (parent === null || parent.dev !== dev) return true;
  const real = await realpath(path).catch(() => path);
  const table = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  // Field 5 is the mount point, with space, tab, newline and backslash written in octal.
  return table
    .split('\n')
    .some(
      (line) =>
        line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, code: string) => String.fromCharCode(parseInt(code, 8))) ===
        real,
    );
}

// Archives or removes a home as its plan says, as undoable steps: the home is renamed (to
// the archives, or aside for removal) before the account files are written, renamed back if
// they are not, and a removed tree is deleted only after the commit. Returns the archive.
export async function applyHomePlan(
  root: string,
  steps: DirectorySteps,
  plan: HomePlan,
  login: string,
  now = new Date(),
): Promise<string | null> {
  if (plan.action !== 'archive' && plan.action !== 'remove') return null;
  const source = join(root, plan.home);
  if (plan.action === 'remove') {
    const hidden = `.${posix.basename(plan.home)}.removing-${randomBytes(4).toString('hex')}`;
    const asidePath = posix.join(posix.dirname(plan.home), hidden);
    const aside = join(root, asidePath);
    await steps.run(
      `set ${plan.home} aside`,
      () => renameOrRefuse(root, plan.home, asidePath),
      () => rename(aside, source),
    );
    steps.afterCommit(() => rm(aside, { recursive: true, force: true }));
    return null;
  }
  const archive = await getArchivePath(root, login, now);
  await makeArchives(root, steps);
  const target = join(root, archive);
  await steps.run(
    `archive ${plan.home}`,
    () => renameOrRefuse(root, plan.home, archive),
    () => rename(target, source),
  );
  return archive;
}

// `home/archives/<name>.deleted.<time>` (with a suffix when that one is taken).
async function getArchivePath(root: string, name: string, now: Date): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  for (let attempt = 0; ; attempt += 1) {
    const path = `${archivesBase}/${name}.deleted.${stamp}${attempt === 0 ? '' : `.${attempt}`}`;
    if (!(await exists(join(root, path)))) return path;
  }
}

// Makes home/archives when missing (undone with the transaction).
async function makeArchives(root: string, steps: DirectorySteps): Promise<void> {
  const path = join(root, archivesBase);
  if (await exists(path)) return;
  await steps.run(
    'make the archives',
    () => mkdir(path, { recursive: true, mode: 0o700 }),
    () => rmdir(path),
  );
}

// Renames a directory of the managed machine (`from` and `to` as it names them, under
// `root`). A refusal of the filesystem (another filesystem, a mount point or a directory in
// use, no permission) is a CoreError naming `field`, with the managed paths only (never
// where the root is): the step fails cleanly and the transaction is undone.
async function renameOrRefuse(root: string, from: string, to: string, field = 'home'): Promise<void> {
  await rename(join(root, from), join(root, to)).catch((error: NodeJS.ErrnoException) => {
    // The errors a rename meets, each said in words (moves.reason.<code>).
    const known = [
      'EXDEV',
      'EBUSY',
      'EACCES',
      'EPERM',
      'EROFS',
      'ENOSPC',
      'ENOTEMPTY',
      'EEXIST',
      'ENAMETOOLONG',
    ] as const;
    const code = known.find((candidate) => candidate === error.code);
    const reason = code ? say(`moves.reason.${code}`) : say('moves.refused', { code: error.code ?? 'error' });
    throw new CoreError('conflict', say('moves.failed', { from, to, reason }), { field, cause: error });
  });
}

// Archives a deleted group's share (a real directory only, never a link) like a home.
export async function archiveShareStep(
  root: string,
  steps: DirectorySteps,
  share: string,
  name: string,
  now = new Date(),
): Promise<string | null> {
  if ((await resolveOnDisk(root, posix.dirname(share))) !== posix.dirname(share)) return null;
  const info = await lstat(join(root, share)).catch(() => null);
  if (!info?.isDirectory()) return null;
  const archive = await getArchivePath(root, name, now);
  await makeArchives(root, steps);
  const [source, target] = [join(root, share), join(root, archive)];
  await steps.run(
    `archive ${share}`,
    () => renameOrRefuse(root, share, archive, 'name'),
    () => rename(target, source),
  );
  return archive;
}

// Moves a directory (a home following a rename, a share following its group), undoable.
// A source that does not exist is nothing to move.
export async function moveDirectoryStep(
  root: string,
  steps: DirectorySteps,
  from: string,
  to: string,
  field = 'home',
): Promise<void> {
  const info = await lstat(join(root, from)).catch(() => null);
  if (!info?.isDirectory()) return;
  if (await exists(join(root, to))) {
    const message = say('moves.exists', { from, to });
    throw new CoreError('already-exists', message, { field });
  }
  const [source, target] = [join(root, from), join(root, to)];
  await steps.run(
    `move ${from}`,
    () => renameOrRefuse(root, from, to, field),
    () => rename(target, source),
  );
}

// Creates a home from the skeleton, undone by removing what was made.
export async function createHomeStep(
  root: string,
  steps: DirectorySteps,
  home: string,
  skel: string,
  owner: { uid: number; gid: number },
  mode: number,
): Promise<void> {
  const target = join(root, home);
  await steps.run(
    `create ${home}`,
    async () => {
      try {
        await createHome(root, home, skel, owner, mode);
      } catch (error) {
        // A half-copied home is ours: it goes (but never one that was there before).
        if ((error as CoreError).code !== 'already-exists') await rm(target, { recursive: true, force: true });
        throw error;
      }
    },
    () => rm(target, { recursive: true, force: true }),
  );
}

// Gives a home's files owned by the old UID or GID to the new ones (as usermod -u/-g does),
// remembering each change so that it can be undone; symlinks are never followed.
export async function reownHomeStep(
  root: string,
  steps: DirectorySteps,
  home: string,
  from: { uid: number; gid: number },
  to: { uid: number; gid: number },
): Promise<void> {
  if (daemonUid !== 0) return;
  // (A home passwd spells `/home/x/` is still reached without a symlink.)
  if ((await resolveOnDisk(root, home)) !== normalizeHome(home)) return;
  const changed: { path: string; uid: number; gid: number }[] = [];
  const reown = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => null);
    if (!info) return;
    const uid = info.uid === from.uid ? to.uid : info.uid;
    const gid = info.gid === from.gid ? to.gid : info.gid;
    if (uid !== info.uid || gid !== info.gid) {
      await lchown(path, uid, gid);
      changed.push({ path, uid: info.uid, gid: info.gid });
    }
    if (info.isDirectory()) for (const name of await readdir(path)) await reown(join(path, name));
  };
  await steps.run(
    `re-own ${home}`,
    async () => {
      try {
        await reown(join(root, home));
      } catch (error) {
        for (const entry of changed.reverse()) await lchown(entry.path, entry.uid, entry.gid).catch(() => {});
        throw error;
      }
    },
    async () => {
      for (const entry of changed.reverse()) await lchown(entry.path, entry.uid, entry.gid);
    },
  );
}
