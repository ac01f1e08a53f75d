import { CoreError } from '../../core/errors.ts';
import type { AccountView } from '../../core/accounts/account-view.ts';
import { quote } from '../../core/accounts/validate-fields.ts';
import type { AccountsService } from '../../core/accounts/accounts-service.ts';

// The group whose members may touch admin and system accounts, and that nobody leaves
// through the interface.
export const adminsGroup = 'admins';

// What an admin asks to do to an account.
export type AccountAction = 'modify' | 'lock' | 'delete' | 'rename' | 'set-password' | 'change-groups';

// Who acts: their login and whether they are in `admins` now (read from the accounts, not
// from the session, so that leaving `admins` takes effect at once).
export interface Actor {
  login: string;
  inAdminsGroup: boolean;
}

// The actor behind a session's login, as the accounts are now.
export function getActor(accounts: AccountsService, login: string): Actor {
  const me = accounts.getAccount(login);
  return { login, inAdminsGroup: !!me && (me.primaryGroup === adminsGroup || me.groups.includes(adminsGroup)) };
}

// Licorn's rules on top of the core's (issue 4, item 7): nobody deletes or locks their own
// account; only members of `admins` touch admin accounts and system accounts. A refusal is
// a 403 naming the reason.
export function checkAccountAction(actor: Actor, target: AccountView, action: AccountAction, adminGroups: readonly string[]): void {
  if (target.login === actor.login && (action === 'delete' || action === 'lock')) {
    throw new CoreError('permission-denied', `You cannot ${action} your own account ${quote(target.login)}`, { field: 'login' });
  }
  if (actor.inAdminsGroup) return;
  const isAdminAccount = [target.primaryGroup, ...target.groups].some((group) => group !== null && adminGroups.includes(group));
  if (isAdminAccount || target.system) {
    const kind = isAdminAccount ? 'an administrator' : 'a system account';
    throw new CoreError('permission-denied', `Only members of "${adminsGroup}" may ${action} ${quote(target.login)}: it is ${kind}`, { field: 'login' });
  }
}

// Refuses taking someone out of `admins` through the interface (a shell is the way, on
// purpose: a slip in a browser must not lock every admin out).
export function checkLeavesAdmins(before: readonly string[], after: readonly string[], login: string): void {
  if (before.includes(adminsGroup) && !after.includes(adminsGroup)) {
    throw new CoreError('permission-denied', `Nobody is removed from "${adminsGroup}" through the interface (asked for ${quote(login)})`, { field: 'groups' });
  }
}

// Refuses creating a system or administrator account (or one in `admins`) unless the actor
// is in `admins`: the same line as for touching such accounts.
export function checkCreateAccount(actor: Actor, input: { system?: boolean; groups?: readonly string[] }, adminGroups: readonly string[]): void {
  checkJoinsAdmins(actor, input.groups ?? []);
  if (actor.inAdminsGroup) return;
  if (input.system || input.groups?.some((group) => adminGroups.includes(group))) {
    throw new CoreError('permission-denied', `Only members of "${adminsGroup}" may create system or administrator accounts`, { field: input.system ? 'system' : 'groups' });
  }
}

// Refuses giving `admins` to someone unless the actor is in it.
export function checkJoinsAdmins(actor: Actor, groups: readonly string[]): void {
  if (groups.includes(adminsGroup) && !actor.inAdminsGroup) {
    throw new CoreError('permission-denied', `Only members of "${adminsGroup}" may add an account to it`, { field: 'groups' });
  }
}
