import { isRestrictedGid } from './account-ranges.ts';
import type { AccountDatabase } from './account-database.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import type { PasswdEntry } from './parse-passwd.ts';
import { applyDeleteGroup } from './group-operations.ts';
import { getGroupDeletionRefusal, getGroupFacts } from './group-protection.ts';
import { hasRoles } from './licorn-roles.ts';
import { CoreError } from '../errors.ts';
import { checkGroupChange, getActorIn, type Requester } from './membership-rules.ts';
import { type CoreMessage, quoted, renderMessage, say } from '../messages.ts';

// The private group userdel deletes with an account when login.defs has USERGROUPS_ENAB
// yes (useradd made it): the group named as the login that is its primary group, with no
// other member (group or gshadow) and no other account's primary group. Null otherwise.
// Whether it goes is getPrivateGroupFate's.
export function getPrivateGroup(db: AccountDatabase, defs: LoginDefs, account: PasswdEntry): string | null {
  if (!defs.userGroupsEnab) return null;
  const group = db.group.get(account.login);
  if (!group || group.gid !== account.gid) return null;
  const others = (names: readonly string[]) => names.some((name) => name !== account.login);
  const shadow = db.gshadow.get(group.name);
  if (others(group.members) || (shadow && (others(shadow.members) || others(shadow.admins)))) return null;
  for (const entry of db.passwd.entries()) if (entry.gid === group.gid && entry.login !== account.login) return null;
  return group.name;
}

// What becomes of a deleted account's private group: deleted (`privateGroup`), or kept
// (`groupKept` says which and why, in English for scripts and logs; `groupKeptMessage` is the
// same as a message, said in each reader's language), or there is none (all null).
export interface PrivateGroupFate {
  privateGroup: string | null;
  groupKept: string | null;
  groupKeptMessage: CoreMessage | null;
}

// The private group's fate when `account` is deleted by `by` (absent: the daemon's own
// caller, no rights to check). It goes only when the group could be deleted on its own
// (DELETE /api/v1/groups/<name>): the caller's rights (checkGroupChange) and the groups the
// interface never deletes (getGroupRefusal: Licorn's own, the admin groups, restricted,
// helper and system groups), and never when it is a system group (a GID outside
// GID_MIN–GID_MAX: a package's group such as docker may be a login's primary group, and
// userdel alone would take it) or a group with roles (its helpers and share go only with a
// group deletion, which archives the share). Otherwise the group is kept, with the reason, and
// the deletion goes on: the account is the caller's to delete; the group is harmless without
// it, and an admin may delete it on its own page. Computed on the database before the account
// is deleted.
export function getPrivateGroupFate(
  db: AccountDatabase,
  defs: LoginDefs,
  account: PasswdEntry,
  by?: Requester,
): PrivateGroupFate {
  const name = getPrivateGroup(db, defs, account);
  const group = name === null ? null : getGroupFacts(db, defs, name);
  if (name === null || !group) return { privateGroup: null, groupKept: null, groupKeptMessage: null };
  const kept = (why: CoreMessage): PrivateGroupFate => {
    const message = say('accounts.groupKept', { name: quoted(name), gid: group.gid, why });
    return { privateGroup: null, groupKept: renderMessage(message, 'en'), groupKeptMessage: message };
  };
  // A restricted GID is outside the standard range too: the requester hears the stronger reason.
  if (group.system && !(by && isRestrictedGid(group.gid))) return kept(say('accounts.groupKeptSystem'));
  if (by) {
    try {
      checkGroupChange(getActorIn(db, by), group, by.adminGroups);
    } catch (error) {
      if (!(error instanceof CoreError) || error.code !== 'permission-denied') throw error;
      return kept(error.coreMessage);
    }
  }
  const refusal = getGroupDeletionRefusal(group, by?.adminGroups ?? []);
  if (refusal !== null) return kept(refusal);
  if (hasRoles(db, name)) return kept(say('accounts.groupKeptRoles'));
  return { privateGroup: name, groupKept: null, groupKeptMessage: null };
}

// Deletes a deleted account's private group when its fate says so (see getPrivateGroupFate).
export function applyPrivateGroupFate(db: AccountDatabase, fate: PrivateGroupFate): void {
  if (fate.privateGroup !== null) applyDeleteGroup(db, fate.privateGroup);
}
