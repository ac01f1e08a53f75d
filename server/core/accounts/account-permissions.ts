import { CoreError } from '../errors.ts';
import type { AccountView } from './account-view.ts';
import { quote } from './validate-fields.ts';
import { describeRestrictedRange, isRestrictedGid, isRestrictedUid } from './account-ranges.ts';

// Licorn's permission rules (REFERENCE.md), owned by the core so that every entry point (the
// API, the pages, later the CLI) asks the same questions and the pages offer only what the
// server would do.

// The group whose members may touch admin and system accounts, and that nobody leaves
// through the interface.
export const adminsGroup = 'admins';

// Licorn never touches accounts below the system minimum or above the standard maximum
// (root, daemons, nobody): account-ranges.ts, from the configuration.
export { isRestrictedUid } from './account-ranges.ts';

// What an admin asks to do to an account.
export type AccountAction = 'modify' | 'lock' | 'unlock' | 'delete' | 'rename' | 'set-password' | 'change-groups';
export const accountActions: readonly AccountAction[] = [
  'modify',
  'lock',
  'unlock',
  'delete',
  'rename',
  'set-password',
  'change-groups',
];

// Who acts: their login and whether they are in `admins` now (read from the accounts, not
// from the session, so that leaving `admins` takes effect at once).
export interface Actor {
  login: string;
  inAdminsGroup: boolean;
}

// Why an account may not be touched by anyone (a restricted one), or null.
function getRestrictedReason(account: { login: string; uid: number }): string | null {
  if (!isRestrictedUid(account.uid)) return null;
  return (
    `${quote(account.login)} is a restricted account (UID ${account.uid}): Licorn never touches accounts ` +
    `with a UID ${describeRestrictedRange('UID', account.uid)}`
  );
}

// Refuses any change to a restricted account, whoever asks.
export function checkNotRestricted(account: { login: string; uid: number }, field = 'login'): void {
  const reason = getRestrictedReason(account);
  if (reason !== null) throw new CoreError('permission-denied', reason, { field });
}

// The actor behind a login, as the accounts are now (UID 0 is in `admins`' place).
export function getActor(getAccount: (login: string) => AccountView | null, login: string): Actor {
  const me = getAccount(login);
  const inAdminsGroup = !!me && (me.uid === 0 || me.primaryGroup === adminsGroup || me.groups.includes(adminsGroup));
  return { login, inAdminsGroup };
}

// Why `actor` may not do `action` to `target`, or null when they may: restricted accounts
// never; nobody deletes or locks their own account, nor unlocks it without being in
// `admins`; only members of `admins` touch admin accounts and system accounts.
export function getRefusal(
  actor: Actor,
  target: AccountView,
  action: AccountAction,
  adminGroups: readonly string[],
): string | null {
  const restricted = getRestrictedReason(target);
  if (restricted !== null) return restricted;
  const self = target.login === actor.login;
  if (self && (action === 'delete' || action === 'lock')) {
    return `You cannot ${action} your own account ${quote(target.login)}`;
  }
  if (actor.inAdminsGroup) return null;
  if (self && action === 'unlock') return `Only members of "${adminsGroup}" may unlock their own account`;
  const groups = [target.primaryGroup, ...target.groups];
  const isAdminAccount = groups.some((group) => group !== null && adminGroups.includes(group));
  if (!isAdminAccount && !target.system) return null;
  const kind = isAdminAccount ? 'an administrator' : 'a system account';
  return `Only members of "${adminsGroup}" may ${action} ${quote(target.login)}: it is ${kind}`;
}

// Throws the refusal of getRefusal as a 403 naming the login.
export function checkAccountAction(
  actor: Actor,
  target: AccountView,
  action: AccountAction,
  adminGroups: readonly string[],
): void {
  const refusal = getRefusal(actor, target, action, adminGroups);
  if (refusal !== null) throw new CoreError('permission-denied', refusal, { field: 'login' });
}

// Every action on `target` with the reason it would be refused (null: allowed), for the
// account's page to offer only what the server would do.
export function getAccountActions(
  actor: Actor,
  target: AccountView,
  adminGroups: readonly string[],
): Record<AccountAction, string | null> {
  const refusals = accountActions.map((action) => [action, getRefusal(actor, target, action, adminGroups)]);
  return Object.fromEntries(refusals) as Record<AccountAction, string | null>;
}

// The rules on what an account's groups become (primary, supplementary, roles), applied
// inside the transaction: membership-rules.ts.

// Refuses deleting or renaming a restricted group (GID below 300 or above 29999 by default: root,
// daemon, users, nogroup…) through the interface, as Licorn did.
export function checkGroupNotRestricted(group: { name: string; gid: number }, action: 'delete' | 'rename'): void {
  if (isRestrictedGid(group.gid)) {
    const message =
      `Cannot ${action} ${quote(group.name)}: it is a restricted group (GID ${group.gid}), ` +
      'never touched through the interface';
    throw new CoreError('permission-denied', message, { field: 'name' });
  }
}

// Why a group may not be deleted or renamed through the interface (null: it may), for the
// group's page to offer only what the server would do. The page offers no Delete for a
// helper group (the API refuses it: it is a role of its standard group) nor for a system
// group (a package's group, which admins may still delete through the API or `licorn del`,
// knowingly, but never by a click on a page meant for people's groups).
export function getGroupRefusals(
  group: { name: string; gid: number; system?: boolean; helperOf?: { group: string; role: string } | null },
  protectedNames: readonly string[],
  adminGroups: readonly string[],
): { delete: string | null; rename: string | null } {
  const restricted = isRestrictedGid(group.gid)
    ? `${quote(group.name)} is a restricted group (GID ${group.gid}), never touched through the interface`
    : null;
  const helper = group.helperOf
    ? `${quote(group.name)} holds the ${group.helperOf.role}s of the group ${group.helperOf.group}: ` +
      `delete ${group.helperOf.group} instead`
    : null;
  const system = group.system
    ? `${quote(group.name)} is a system group, not deleted from this page (licorn del group, as an admin, can)`
    : null;
  return {
    delete: protectedNames.includes(group.name)
      ? `The group ${quote(group.name)} is protected and cannot be deleted`
      : (restricted ?? helper ?? system),
    rename: adminGroups.includes(group.name)
      ? `The administrators' group ${quote(group.name)} cannot be renamed`
      : restricted,
  };
}
