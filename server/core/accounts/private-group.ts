import type { AccountDatabase } from './account-database.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import type { PasswdEntry } from './parse-passwd.ts';
import { applyDeleteGroup, protectedGroups } from './group-operations.ts';
import { getHelperOwner, hasRoles } from './licorn-roles.ts';

// The private group userdel deletes with an account when login.defs has USERGROUPS_ENAB
// yes (useradd made it): the group named as the login that is its primary group, with no
// other member (group or gshadow) and no other account's primary group. Null otherwise, and
// for groups that are Licorn's (protected, standard with a share, or a helper): those are
// never deleted with an account.
export function getPrivateGroup(db: AccountDatabase, defs: LoginDefs, account: PasswdEntry): string | null {
  if (!defs.userGroupsEnab) return null;
  const group = db.group.get(account.login);
  if (!group || group.gid !== account.gid) return null;
  const others = (names: readonly string[]) => names.some((name) => name !== account.login);
  const shadow = db.gshadow.get(group.name);
  if (others(group.members) || (shadow && (others(shadow.members) || others(shadow.admins)))) return null;
  for (const entry of db.passwd.entries()) if (entry.gid === group.gid && entry.login !== account.login) return null;
  if (protectedGroups.includes(group.name) || hasRoles(db, group.name) || getHelperOwner(db, group.name) !== null)
    return null;
  return group.name;
}

// Deletes a deleted account's private group (see getPrivateGroup); its name, or null.
export function applyDeletePrivateGroup(db: AccountDatabase, defs: LoginDefs, account: PasswdEntry): string | null {
  const name = getPrivateGroup(db, defs, account);
  if (name !== null) applyDeleteGroup(db, name);
  return name;
}
