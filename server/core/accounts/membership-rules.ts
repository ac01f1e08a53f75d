import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import { getAccountView } from './account-view.ts';
import { getAccountRanges, isNeverHandedOut, isRestrictedGid } from './account-ranges.ts';
import { getHelperOf } from './licorn-roles.ts';
import { adminsGroup, checkAccountAction, type AccountAction, type Actor } from './account-permissions.ts';
import { type CoreMessage, quoted, renderMessage, say } from '../messages.ts';

// Licorn's rules applied inside a transaction, on the database as it is once the store has
// re-read the files under their locks: a demotion or a change that lands while a request
// hashes its password is seen, and a stale version is a conflict even when two requests race.

// Who asks for a change, and the configuration's admin groups (auth.admin_groups).
export interface Requester {
  login: string;
  adminGroups: readonly string[];
}

// Group names that give administrator rights on Linux systems by their name alone, whether
// or not the group exists yet: sudoers' defaults (`%admin`, `%wheel`, `%sudo`), daemons that
// trust a group's members with root-equivalent access (docker, lxd, libvirt, kvm, disk…),
// and the groups that read secrets or logs. A new group of such a name would be picked up by
// them (and by a package's later `groupadd -r`): only members of `admins` make one.
export const privilegedGroupNames: ReadonlySet<string> = new Set([
  'root',
  'admin',
  'admins',
  'wheel',
  'sudo',
  'adm',
  'staff',
  'shadow',
  'disk',
  'kmem',
  'docker',
  'lxd',
  'libvirt',
  'libvirt-qemu',
  'kvm',
  'lpadmin',
  'systemd-journal',
  'netdev',
  'incus-admin',
  'podman',
]);

// Why a group name is privileged by itself (an admin group or a name of privilegedGroupNames), or null.
function getNamePrivilege(name: string, adminGroups: readonly string[]): CoreMessage | null {
  if (adminGroups.includes(name) || name === adminsGroup) return say('privileges.adminGroup');
  if (privilegedGroupNames.has(name)) return say('privileges.privilegedName');
  return null;
}

// The primary group new accounts get when none is asked: the core's choice, not the actor's.
export const defaultPrimaryGroup = 'users';

// The groups an account holds, each with whether it holds it as its primary group: every
// group of its GID (several groups may share one) and every group listing it. Roles are
// held groups too (G, rsp-G, gst-G).
export function getHeldGroups(db: AccountDatabase, login: string): Map<string, boolean> {
  const held = new Map<string, boolean>();
  const account = db.passwd.get(login);
  if (!account) return held;
  for (const group of db.group.entries()) {
    if (group.gid === account.gid) held.set(group.name, true);
    else if (group.members.includes(login)) held.set(group.name, false);
  }
  return held;
}

// getHeldGroups for many accounts of a database that does not change meanwhile: each
// group's members are read into a set once (a 10,000-row import by a non-admin scanned a
// group of 3,333 members for every row).
export function getHeldGroupsReader(db: AccountDatabase): (login: string) => Map<string, boolean> {
  const groups = Array.from(db.group.entries(), (group) => ({ ...group, members: new Set(group.members) }));
  return (login) => {
    const held = new Map<string, boolean>();
    const account = db.passwd.get(login);
    if (!account) return held;
    for (const group of groups) {
      if (group.gid === account.gid) held.set(group.name, true);
      else if (group.members.has(login)) held.set(group.name, false);
    }
    return held;
  };
}

// The actor as the database says now: it must still hold one of the admin groups (its
// session's rights may lag an edit of etc/group); `inAdminsGroup` from the same database.
// An account of UID 0 (root, on the local socket) has every right, as Authenticator says.
export function getActorIn(db: AccountDatabase, requester: Requester): Actor {
  if (db.passwd.get(requester.login)?.uid === 0) return { login: requester.login, inAdminsGroup: true };
  const held = getHeldGroups(db, requester.login);
  if (![...held.keys()].some((name) => requester.adminGroups.includes(name))) {
    const message = say('privileges.noLongerAdmin', { login: quoted(requester.login) });
    throw new CoreError('permission-denied', message, { field: 'login' });
  }
  return { login: requester.login, inAdminsGroup: held.has(adminsGroup) };
}

// Why only members of `admins` may put accounts into or take them out of a group (null:
// anyone allowed may): the admin groups (rights to manage the machine), restricted groups
// (GID below 300 or above 29999 by default: root, shadow, disk, adm…) and other system groups. The
// helper groups of a standard group (rsp-G, gst-G: system GIDs) are its roles: G's answer.
export function sayGroupPrivilege(
  db: AccountDatabase,
  defs: LoginDefs,
  name: string,
  adminGroups: readonly string[],
): CoreMessage | null {
  if (adminGroups.includes(name) || name === adminsGroup) return say('privileges.adminGroup');
  const group = db.group.get(name);
  if (group && isRestrictedGid(group.gid)) return say('privileges.restrictedGroup', { gid: group.gid });
  const owner = group ? getHelperOf(db, name)?.group : undefined;
  if (owner !== undefined) return sayGroupPrivilege(db, defs, owner, adminGroups);
  if (group && (group.gid < defs.gidMin || group.gid > defs.gidMax))
    return say('privileges.systemGroup', { gid: group.gid });
  // A standard group with a trusted name (docker made by an admin): joining it is privileged.
  return getNamePrivilege(name, adminGroups);
}

// The same in English (tests, logs).
export function getGroupPrivilege(
  db: AccountDatabase,
  defs: LoginDefs,
  name: string,
  adminGroups: readonly string[],
): string | null {
  const privilege = sayGroupPrivilege(db, defs, name, adminGroups);
  return privilege && renderMessage(privilege, 'en');
}

// Refuses what an account's change of groups (`before` → `after`, from getHeldGroups) may
// not do: nobody leaves `admins` through the interface; only members of `admins` put an
// account into or out of a privileged group (getGroupPrivilege). The default primary group
// held as primary is the core's choice and passes.
export function checkMembershipChange(
  actor: Actor,
  db: AccountDatabase,
  defs: LoginDefs,
  login: string,
  before: ReadonlyMap<string, boolean>,
  after: ReadonlyMap<string, boolean>,
  adminGroups: readonly string[],
): void {
  if (before.has(adminsGroup) && !after.has(adminsGroup)) {
    const message = say('privileges.keepAdmins', { admins: quoted(adminsGroup), login: quoted(login) });
    throw new CoreError('permission-denied', message, { field: 'groups' });
  }
  if (actor.inAdminsGroup) return;
  const changes: (readonly [string, boolean, 'into' | 'out of'])[] = [
    ...[...after].filter(([name]) => !before.has(name)).map(([name, primary]) => [name, primary, 'into'] as const),
    ...[...before].filter(([name]) => !after.has(name)).map(([name, primary]) => [name, primary, 'out of'] as const),
  ];
  for (const [name, primary, direction] of changes) {
    if (primary && name === defaultPrimaryGroup) continue;
    const privilege = sayGroupPrivilege(db, defs, name, adminGroups);
    if (privilege === null) continue;
    const key = direction === 'into' ? 'privileges.putInto' : 'privileges.takeOutOf';
    const message = say(key, { admins: quoted(adminsGroup), name: quoted(name), privilege, login: quoted(login) });
    throw new CoreError('permission-denied', message, { field: primary ? 'primaryGroup' : 'groups' });
  }
}

// A change of an account the requester may start: `checkGroups` (once the change is applied
// to the same database) refuses what it did to the account's groups (checkMembershipChange).
export interface AccountRequest {
  actor: Actor;
  checkGroups(finalLogin?: string): void;
}

// Checks `actions` on an existing account for the requester, on the database as it is now,
// and the version the change was based on (a stale one is a conflict).
export function checkAccountRequest(
  db: AccountDatabase,
  defs: LoginDefs,
  requester: Requester,
  login: string,
  actions: readonly AccountAction[],
  version?: string,
): AccountRequest {
  const account = getAccountView(db, defs, login);
  if (!account)
    throw new CoreError('not-found', say('accounts.notFound', { login: quoted(login) }), { field: 'login' });
  if (version !== undefined && account.version !== version) {
    const message = say('accounts.changedElsewhere', { login: quoted(login) });
    throw new CoreError('conflict', message, { field: 'version' });
  }
  const actor = getActorIn(db, requester);
  for (const action of actions) checkAccountAction(actor, account, action, requester.adminGroups);
  const held = getHeldGroups(db, login);
  const checkGroups = (finalLogin = login) =>
    checkMembershipChange(actor, db, defs, finalLogin, held, getHeldGroups(db, finalLogin), requester.adminGroups);
  return { actor, checkGroups };
}

// Refuses a new account the requester may not create: a system account, or one put into a
// privileged group, unless the actor is in `admins`. `login` is already created on `db`;
// `held`: its groups when the caller knows them without the account joining them on `db`.
export function checkNewAccountRules(
  actor: Actor,
  db: AccountDatabase,
  defs: LoginDefs,
  login: string,
  system: boolean | undefined,
  adminGroups: readonly string[],
  held?: Map<string, boolean>,
): void {
  if (actor.inAdminsGroup) return;
  if (system) {
    const message = say('privileges.systemAccounts', { admins: quoted(adminsGroup) });
    throw new CoreError('permission-denied', message, { field: 'system' });
  }
  checkMembershipChange(actor, db, defs, login, new Map(), held ?? getHeldGroups(db, login), adminGroups);
}

// The actions a change of an account asks for (each checked by checkAccountAction).
export function getUpdateActions(update: {
  locked?: boolean;
  password?: string;
  forcePasswordChange?: boolean;
  groups?: readonly string[];
  primaryGroup?: string;
  roles?: object;
  newLogin?: string;
}): AccountAction[] {
  const actions: AccountAction[] = ['modify'];
  if (update.locked === true) actions.push('lock');
  if (update.locked === false) actions.push('unlock');
  if (update.password !== undefined || update.forcePasswordChange) actions.push('set-password');
  if (update.groups || update.primaryGroup !== undefined || update.roles) actions.push('change-groups');
  if (update.newLogin !== undefined) actions.push('rename');
  return actions;
}

// Refuses a group the actor may not create: a GID in the restricted range by nobody (it could
// then never be renamed or deleted here); a system group, an explicit GID outside the
// standard range, or an admin group missing on this machine (its members would administer
// it) only by members of `admins`.
export function checkNewGroupRules(
  actor: Actor,
  input: { name: string; system?: boolean; gid?: number },
  defs: LoginDefs,
  adminGroups: readonly string[],
): void {
  if (input.gid !== undefined && isRestrictedGid(input.gid)) {
    const { systemIdMin, standardGidMax } = getAccountRanges();
    const gid = input.gid;
    const message =
      gid >= systemIdMin && gid <= standardGidMax && isNeverHandedOut(gid)
        ? say('privileges.restrictedGidNeverHandedOut', { gid })
        : say('privileges.restrictedGid', { gid, below: systemIdMin, above: standardGidMax });
    throw new CoreError('permission-denied', message, { field: 'gid' });
  }
  if (actor.inAdminsGroup) return;
  const outside = input.gid !== undefined && (input.gid < defs.gidMin || input.gid > defs.gidMax);
  const privilege = getNamePrivilege(input.name, adminGroups);
  if (privilege !== null) {
    const message = say('privileges.createPrivileged', {
      admins: quoted(adminsGroup),
      name: quoted(input.name),
      privilege,
    });
    throw new CoreError('permission-denied', message, { field: 'name' });
  }
  if (input.system || outside) {
    const message = say('privileges.systemGroups', { admins: quoted(adminsGroup), name: quoted(input.name) });
    throw new CoreError('permission-denied', message, { field: input.system ? 'system' : 'gid' });
  }
}

// Refuses changing or deleting a group that is restricted (nobody) or a system or admin group
// (members of `admins` only), and renaming one into a privileged name (getNamePrivilege).
export function checkGroupChange(
  actor: Actor,
  group: { name: string; gid: number; system: boolean },
  adminGroups: readonly string[],
  newName?: string,
): void {
  const privilege = newName === undefined || newName === group.name ? null : getNamePrivilege(newName, adminGroups);
  if (privilege !== null && !actor.inAdminsGroup) {
    const message = say('privileges.namePrivileged', {
      admins: quoted(adminsGroup),
      name: quoted(newName!),
      privilege,
    });
    throw new CoreError('permission-denied', message, { field: 'newName' });
  }
  if (isRestrictedGid(group.gid)) {
    const message = say('privileges.restrictedChange', { name: quoted(group.name), gid: group.gid });
    throw new CoreError('permission-denied', message, { field: 'name' });
  }
  if (actor.inAdminsGroup || (!group.system && !adminGroups.includes(group.name))) return;
  const message = say('privileges.changeSystemGroup', { admins: quoted(adminsGroup), name: quoted(group.name) });
  throw new CoreError('permission-denied', message, { field: 'name' });
}
