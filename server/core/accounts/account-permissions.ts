import { CoreError } from '../errors.ts';
import type { AccountView } from './account-view.ts';
import { type CoreMessage, quoted, say } from '../messages.ts';
import { getAccountRanges, isNeverHandedOut, isRestrictedUid } from './account-ranges.ts';

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
function getRestrictedReason(account: { login: string; uid: number }): CoreMessage | null {
  if (!isRestrictedUid(account.uid)) return null;
  const { systemIdMin, standardUidMax } = getAccountRanges();
  const login = quoted(account.login);
  // Inside the ranges yet restricted: nobody's and nogroup's IDs, never handed out.
  if (account.uid >= systemIdMin && account.uid <= standardUidMax && isNeverHandedOut(account.uid))
    return say('permissions.restrictedAccountNeverHandedOut', { login, uid: account.uid });
  return say('permissions.restrictedAccount', { login, uid: account.uid, below: systemIdMin, above: standardUidMax });
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
): CoreMessage | null {
  const restricted = getRestrictedReason(target);
  if (restricted !== null) return restricted;
  const self = target.login === actor.login;
  if (self && (action === 'delete' || action === 'lock')) {
    return say(`permissions.own.${action}`, { login: quoted(target.login) });
  }
  if (actor.inAdminsGroup) return null;
  if (self && action === 'unlock') return say('permissions.unlockOwn', { admins: quoted(adminsGroup) });
  const groups = [target.primaryGroup, ...target.groups];
  const isAdminAccount = groups.some((group) => group !== null && adminGroups.includes(group));
  if (!isAdminAccount && !target.system) return null;
  const kind = say(isAdminAccount ? 'permissions.kind.administrator' : 'permissions.kind.systemAccount');
  return say(`permissions.adminsOnly.${action}`, { admins: quoted(adminsGroup), login: quoted(target.login), kind });
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
): Record<AccountAction, CoreMessage | null> {
  const refusals = accountActions.map((action) => [action, getRefusal(actor, target, action, adminGroups)]);
  return Object.fromEntries(refusals) as Record<AccountAction, CoreMessage | null>;
}

// The rules on what an account's groups become (primary, supplementary, roles), applied
// inside the transaction: membership-rules.ts.
