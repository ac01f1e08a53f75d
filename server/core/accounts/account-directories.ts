import { join, posix } from 'node:path';
import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { OperationContext } from './account-operations.ts';
import { applyRenameAccount } from './rename-account.ts';
import { atRow } from './bulk-rows.ts';
import type { DirectorySteps } from './directory-steps.ts';
import {
  applyHomePlan,
  checkNewHomeOnDisk,
  createHomeStep,
  getHomePlan,
  moveDirectoryStep,
  reownHomeStep,
  type HomeDisposal,
  type HomePlan,
} from './home-disk.ts';
import { getHomeOverlap } from './home-paths.ts';
import { writeHomesJournal } from './homes-journal.ts';
import type { PasswdEntry } from './parse-passwd.ts';
import type { throttleProgress } from './report-progress.ts';
import { getSharePath } from './shared-directories.ts';
import { quoted, say } from '../messages.ts';

// The directory side of the account operations (accounts-service.ts): what each one does
// to homes and shares, as undoable steps run inside its transaction before the account
// files are written.

// Where a transaction's directory work happens.
export interface DirectoryContext {
  root: string;
  etcDir: string;
  steps: DirectorySteps;
  db: AccountDatabase;
  context: OperationContext;
}

// Makes the homes of new accounts from etc/skel (each checked free on disk first, the
// whole phase journaled for a crash: homes-journal.ts). `row` names a refused row.
export async function prepareNewHomes(
  { root, etcDir, steps, db, context }: DirectoryContext,
  rows: { entry: PasswdEntry; row: number }[],
  report: ReturnType<typeof throttleProgress>,
): Promise<void> {
  if (rows.length === 0) return;
  for (const { entry, row } of rows) {
    await checkNewHomeOnDisk(root, db, entry.login, entry.home, context.homeBase).catch((error: unknown) => {
      throw atRow(error, row);
    });
  }
  const journaled = rows.map(({ entry: { login, uid, gid, home } }) => ({ login, uid, gid, home }));
  await writeHomesJournal(etcDir, steps, journaled);
  report('homes', 0, rows.length, true);
  for (const [done, { entry }] of rows.entries()) {
    const skel = join(etcDir, 'skel');
    await createHomeStep(root, steps, entry.home, skel, entry, context.defs.homeMode).catch((error: unknown) => {
      if (error instanceof CoreError) throw error;
      const reason = (error as Error).message;
      const message = say('homes.notMade', { home: entry.home, login: quoted(entry.login), reason });
      throw new CoreError('internal-error', message, { field: 'home', cause: error });
    });
    report('homes', done + 1, rows.length);
  }
}

// Archives or sets aside the homes of deleted accounts, each as its plan says.
export async function prepareHomeDisposals(
  root: string,
  steps: DirectorySteps,
  db: AccountDatabase,
  context: OperationContext,
  entries: PasswdEntry[],
  disposal: HomeDisposal,
): Promise<{ archive: string | null; home: HomePlan }[]> {
  const done: { archive: string | null; home: HomePlan }[] = [];
  for (const entry of entries) {
    const plan = await getHomePlan(root, db, entry, disposal, context.homeBase);
    done.push({ archive: await applyHomePlan(root, steps, plan, entry.login), home: plan });
  }
  return done;
}

// The directory side of a modified account (`login`: its name after the transaction): a
// new home path leads where the rule allows through any symlink; a new UID or GID re-owns
// its own home's files.
export async function prepareModified(
  root: string,
  steps: DirectorySteps,
  db: AccountDatabase,
  context: OperationContext,
  login: string,
  before: PasswdEntry,
  after: PasswdEntry,
): Promise<void> {
  if (after.home !== before.home) {
    await checkNewHomeOnDisk(root, db, login, after.home, context.homeBase, 'home', { mayExist: true });
  }
  if (before.uid === after.uid && before.gid === after.gid) return;
  const plan = await getHomePlan(root, db, { login, uid: before.uid, home: after.home }, 'archive', context.homeBase);
  if (plan.action === 'archive') await reownHomeStep(root, steps, after.home, before, after);
}

// Moves a renamed account's home (only its own directory, to a place the rule allows).
export async function prepareMove(
  root: string,
  steps: DirectorySteps,
  db: AccountDatabase,
  context: OperationContext,
  login: string,
  move: { uid: number; from: string; to: string | undefined },
): Promise<void> {
  if (move.to === undefined) return;
  const plan = await getHomePlan(root, db, { login, uid: move.uid, home: move.from }, 'archive', context.homeBase);
  if (plan.action === 'none') return;
  if (plan.action !== 'archive') {
    const message = say('homes.cannotMove', { warning: plan.warning!.replace('will be left in place', 'cannot move') });
    throw new CoreError('permission-denied', message, { field: 'moveHome' });
  }
  await checkNewHomeOnDisk(root, db, login, move.to, context.homeBase, 'moveHome');
  await moveDirectoryStep(root, steps, move.from, move.to);
}

// Refuses a share that would be, contain or sit inside an account's home.
export function checkShareClear(db: AccountDatabase, name: string, field: string): void {
  const overlap = getHomeOverlap(db, null, getSharePath(name));
  if (overlap === null) return;
  throw new CoreError('conflict', say('shares.overlap', { path: getSharePath(name), overlap }), { field });
}

// Renames an account in a transaction; with moveHome, its home /x/<login> is to become
// /x/<newLogin> (the caller moves the directory). Returns what the move needs.
export function applyRenameWithHome(
  db: AccountDatabase,
  context: OperationContext,
  login: string,
  newLogin: string,
  options: { moveHome?: boolean; renameGroup?: boolean },
): { uid: number; from: string; to: string | undefined } {
  const old = db.passwd.get(login);
  const moves = options.moveHome && old && posix.basename(old.home) === login;
  const to = moves ? posix.join(posix.dirname(old.home), newLogin) : undefined;
  applyRenameAccount(db, login, newLogin, { home: to, renameGroup: options.renameGroup, homeBase: context.homeBase });
  return { uid: old!.uid, from: old!.home, to };
}
