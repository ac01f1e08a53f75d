import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import type { PasswdEntry } from './parse-passwd.ts';
import { allocateId, getIdIndex } from './id-index.ts';
import { validateDay, validateFullName, validateId, validateName, validateShell } from './validate-fields.ts';
import { checkHomePath, noteHomeChange } from './home-paths.ts';
import type { UidsInUse } from './account-processes.ts';
import {
  checkLoginFree,
  checkUidNotRunning,
  getChangeableAccount,
  getUidRange,
  validateGroupList,
} from './account-checks.ts';
import { applyAddMember, applyRemoveMember } from './membership-operations.ts';
import { applySetExpiry, applySetLocked } from './shadow-operations.ts';
import { quoted, say } from '../messages.ts';

// Pure changes to an AccountDatabase (a clone: a refused change throws before the files are
// written). Each validates everything it is given and names the field at fault.

// What the operations need to know of the machine.
export interface OperationContext {
  defs: LoginDefs;
  shells: string[];
  today: number;
  // Where new homes go (etc/default/useradd HOME, /home by default).
  homeBase: string;
  // UIDs no account has that are still held (processes, kept homes): never handed out, and
  // an explicit one that owns processes is refused (account-processes.ts getUidsInUse).
  uidsInUse?: UidsInUse;
}

// A new account; `hash` is already computed (hashing is slow and happens before the lock).
export interface NewAccount {
  login: string;
  fullName?: string;
  shell?: string;
  home?: string;
  uid?: number;
  primaryGroup?: string;
  groups?: string[];
  system?: boolean;
  // Allow a UID another account has (useradd -o).
  allowDuplicateUid?: boolean;
  hash: string;
}

// The fields of an account that modify changes (as usermod -c -s -d -u -g -G -L/-U -e).
export interface AccountChanges {
  fullName?: string;
  shell?: string;
  // The new home path; the directory is not moved.
  home?: string;
  uid?: number;
  // Allow a UID another account has (usermod -o).
  allowDuplicateUid?: boolean;
  primaryGroup?: string;
  // The whole list of supplementary groups (usermod -G): groups not listed lose the account.
  groups?: string[];
  locked?: boolean;
  // Days since 1970, or null for never.
  expiry?: number | null;
}

// Checks every field of a new account on `db` without changing it, naming the field at fault;
// what the account would be. Asked before a password is hashed (a request refused for any
// field costs no hash) and again by applyCreateAccount, in the transaction.
export function validateNewAccount(
  db: AccountDatabase,
  input: Omit<NewAccount, 'hash'>,
  context: OperationContext,
): Omit<PasswdEntry, 'password'> & { groups: string[] } {
  const login = validateName(input.login, 'login');
  checkLoginFree(db, login);
  const fullName = validateFullName(input.fullName ?? '');
  const shell = validateShell(
    input.shell ?? (context.shells.includes('/bin/bash') ? '/bin/bash' : context.shells[0]),
    context.shells,
  );
  const home = checkHomePath(db, login, input.home ?? `${context.homeBase}/${login}`, context.homeBase);
  const { defs } = context;
  const [min, max, kind] = getUidRange(defs, !!input.system);
  const ids = getIdIndex(db);
  let uid: number;
  if (input.uid === undefined) {
    const free = allocateId(ids.uidOwners, ids.highestUid, min, max, (id) => context.uidsInUse?.has(id) ?? false);
    if (free === null) throw new CoreError('conflict', say('ids.noFreeUid', { kind, min, max }), { field: 'uid' });
    uid = free;
  } else {
    uid = validateId(input.uid, 'uid', min, max, kind);
    const owner = ids.uidOwners.get(uid);
    if (owner !== undefined && !input.allowDuplicateUid) {
      throw new CoreError('already-exists', say('ids.uidUsed', { uid, owner }), { field: 'uid' });
    }
    if (owner === undefined) checkUidNotRunning(context, uid, say('processes.newAccount'));
  }
  const primaryName = input.primaryGroup === undefined ? 'users' : validateName(input.primaryGroup, 'group');
  const primary = db.group.get(primaryName);
  if (!primary)
    throw new CoreError('not-found', say('accounts.noPrimaryGroup', { name: quoted(primaryName) }), {
      field: 'primaryGroup',
    });
  if (db.group.has(login) && primaryName !== login) {
    throw new CoreError('already-exists', say('accounts.groupNamed', { name: quoted(login) }), { field: 'login' });
  }
  const groups = validateGroupList(db, input.groups ?? []);
  const gecos = fullName === '' ? '' : `${fullName},,,`;
  return { login, uid, gid: primary.gid, gecos, home, shell, groups };
}

// Adds an account (passwd, shadow, its supplementary groups in group and gshadow). A bulk
// caller passes `memberships` to collect the group additions and make them in one go per
// group (applyAddMembers), instead of rewriting a growing member list once per account.
export function applyCreateAccount(
  db: AccountDatabase,
  input: NewAccount,
  context: OperationContext,
  memberships?: Map<string, string[]>,
): PasswdEntry {
  const { login, uid, gid, gecos, home, shell, groups } = validateNewAccount(db, input, context);
  if (typeof input.hash !== 'string' || /[:\u0000-\u001f]/.test(input.hash))
    throw new CoreError('invalid-argument', say('passwords.invalidHash'), { field: 'password' });

  const entry: PasswdEntry = { login, password: 'x', uid, gid, gecos, home, shell };
  db.passwd.set(entry);
  noteHomeChange(db, login, null, home);
  const ids = getIdIndex(db);
  if (!ids.uidOwners.has(uid)) ids.uidOwners.set(uid, login);
  db.shadow.set({
    login,
    hash: input.hash,
    lastChange: context.today,
    minDays: 0,
    maxDays: 99999,
    warnDays: 7,
    inactiveDays: null,
    expireDate: null,
    reserved: '',
  });
  for (const name of groups) {
    // Gathered in place: a copy per account made a 10,000-row import's groups quadratic.
    const joining = memberships?.get(name);
    if (joining) joining.push(login);
    else if (memberships) memberships.set(name, [login]);
    else applyAddMember(db, name, login);
  }
  return entry;
}

// Checks every change of an account's fields on `db` without making it, naming the field at
// fault; the entry before and after, and the new supplementary groups. Asked before a new
// password is hashed and again by applyModifyAccount, in the transaction.
export function validateAccountChanges(
  db: AccountDatabase,
  login: string,
  changes: AccountChanges,
  context: OperationContext,
): { account: PasswdEntry; next: PasswdEntry; groups: string[] | undefined } {
  const account = getChangeableAccount(db, login);
  const next = { ...account };
  if (changes.fullName !== undefined) {
    const fullName = validateFullName(changes.fullName);
    // Keep the other GECOS fields (room, phones) as they were.
    const rest = account.gecos.split(',').slice(1);
    next.gecos = [fullName, ...rest].join(',');
  }
  if (changes.shell !== undefined) next.shell = validateShell(changes.shell, context.shells);
  if (changes.home !== undefined) next.home = checkHomePath(db, login, changes.home, context.homeBase);
  const ids = getIdIndex(db);
  if (changes.uid !== undefined && changes.uid !== account.uid) {
    // The new UID stays in the kind's range: a standard account does not become a system one
    // by a typo.
    const { defs } = context;
    const [min, max, kind] = getUidRange(defs, account.uid < defs.uidMin || account.uid > defs.uidMax);
    next.uid = validateId(changes.uid, 'uid', min, max, kind);
    const owner = ids.uidOwners.get(next.uid);
    if (owner !== undefined && !changes.allowDuplicateUid) {
      throw new CoreError('already-exists', say('ids.uidUsed', { uid: next.uid, owner }), { field: 'uid' });
    }
    if (owner === undefined) checkUidNotRunning(context, next.uid, say('processes.account', { login: quoted(login) }));
  }
  if (changes.primaryGroup !== undefined) {
    const name = validateName(changes.primaryGroup, 'group');
    const primary = db.group.get(name);
    if (!primary)
      throw new CoreError('not-found', say('accounts.noPrimaryGroup', { name: quoted(name) }), {
        field: 'primaryGroup',
      });
    next.gid = primary.gid;
  }
  const groups = changes.groups === undefined ? undefined : validateGroupList(db, changes.groups);
  if (changes.locked !== undefined && typeof changes.locked !== 'boolean') {
    throw new CoreError('invalid-argument', say('accounts.invalidLocked', { value: quoted(changes.locked) }), {
      field: 'locked',
    });
  }
  if (changes.expiry !== undefined) validateDay(changes.expiry, 'expiry');
  return { account, next, groups };
}

// Changes any of an account's fields; returns the entry before and after (the caller
// re-owns the home when the UID or primary group changed, as usermod does).
export function applyModifyAccount(
  db: AccountDatabase,
  login: string,
  changes: AccountChanges,
  context: OperationContext,
): { before: PasswdEntry; after: PasswdEntry } {
  const { account, next, groups } = validateAccountChanges(db, login, changes, context);
  const ids = getIdIndex(db);
  // Everything is checked; now change.
  db.passwd.set(next);
  if (next.home !== account.home) noteHomeChange(db, login, account.home, next.home);
  if (next.uid !== account.uid) {
    if (ids.uidOwners.get(account.uid) === login) ids.uidOwners.delete(account.uid);
    if (!ids.uidOwners.has(next.uid)) ids.uidOwners.set(next.uid, login);
  }
  if (groups !== undefined) {
    const wanted = new Set(groups);
    for (const group of [...db.group.entries()]) {
      if (group.members.includes(login) && !wanted.has(group.name)) applyRemoveMember(db, group.name, login);
    }
    for (const name of groups) applyAddMember(db, name, login);
  }
  if (changes.locked !== undefined) applySetLocked(db, login, changes.locked);
  if (changes.expiry !== undefined) applySetExpiry(db, login, changes.expiry);
  return { before: account, after: next };
}

// Removes an account from passwd, shadow and every group's members and administrators.
export function applyDeleteAccount(db: AccountDatabase, login: string): PasswdEntry {
  const account = getChangeableAccount(db, login);
  db.passwd.delete(login);
  noteHomeChange(db, login, account.home, null);
  db.shadow.delete(login);
  const ids = getIdIndex(db);
  if (ids.uidOwners.get(account.uid) === login) ids.uidOwners.delete(account.uid);
  for (const group of [...db.group.entries()]) {
    if (group.members.includes(login))
      db.group.set({ ...group, members: group.members.filter((member) => member !== login) });
  }
  for (const group of [...db.gshadow.entries()]) {
    if (group.members.includes(login) || group.admins.includes(login)) {
      db.gshadow.set({
        ...group,
        members: group.members.filter((m) => m !== login),
        admins: group.admins.filter((a) => a !== login),
      });
    }
  }
  return account;
}
