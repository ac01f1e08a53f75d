import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import type { Group } from './group-schema.ts';
import { getGroupView } from './account-view.ts';
import { isRestrictedUid } from './account-permissions.ts';
import { getHelperOwner, parseHelperName } from './licorn-roles.ts';
import { quote } from './validate-fields.ts';

// Which groups the interface (API, CLI, pages: everyone, admins and root included) never
// deletes, and why, in one place: the API and the CLI refuse with these words and the group's
// page shows them instead of a Delete button. A shell's groupdel stays the way for a group
// that really must go: it runs the system's own hooks, and nobody removes a package's group by
// a click meant for people's groups.

// Licorn's own groups, each with what it is for (the reason a deletion is refused).
export const protectedGroupReasons: Readonly<Record<string, string>> = {
  admins: 'its members administer the machine',
  'licorn-wmi': 'its members manage the accounts through Licorn',
  sudo: 'its members may run commands as root',
  users: 'it is the primary group of the accounts Licorn makes',
  acl: "it owns every group's shared directory",
  root: "it is root's own group",
  shadow: 'it reads the password files',
};

// The names of Licorn's own groups.
export const protectedGroups: readonly string[] = Object.keys(protectedGroupReasons);

// What the rule reads of a group (its view and details have these).
export type GroupFacts = Pick<Group, 'name' | 'gid' | 'system' | 'helperOf'>;

// Why the interface refuses to delete `group` (null: it may be deleted), most telling reason
// first: Licorn's own and the administrators' groups (`adminGroups`: auth.admin_groups), a
// restricted group (GID below 300 or above 29999), a helper group (a role of its standard
// group, which goes with it), a system group (a package's or a service's).
export function getGroupDeletionRefusal(group: GroupFacts, adminGroups: readonly string[]): string | null {
  const named = `The group ${quote(group.name)}`;
  const own = protectedGroupReasons[group.name];
  if (own !== undefined) return `${named} is protected and cannot be deleted: ${own}`;
  if (adminGroups.includes(group.name))
    return `${named} is an administrators' group and cannot be deleted: its members manage the machine`;
  if (isRestrictedUid(group.gid))
    return `${named} is a restricted group (GID ${group.gid}), never touched through the interface`;
  if (group.helperOf) {
    const { group: owner, role } = group.helperOf;
    return `${named} holds the ${role}s of the group ${owner}: delete ${owner} instead`;
  }
  if (group.system)
    return (
      `${named} is a system group (GID ${group.gid}), which packages and services rely on: it is never deleted ` +
      'through the interface (groupdel in a shell can)'
    );
  return null;
}

// Why a group may not be deleted or renamed through the interface (null: it may), for the
// group's page to offer only what the server would do, with the server's own words.
export function getGroupRefusals(
  group: GroupFacts,
  adminGroups: readonly string[],
): { delete: string | null; rename: string | null } {
  const restricted = isRestrictedUid(group.gid)
    ? `${quote(group.name)} is a restricted group (GID ${group.gid}), never touched through the interface`
    : null;
  return {
    delete: getGroupDeletionRefusal(group, adminGroups),
    rename: adminGroups.includes(group.name)
      ? `The administrators' group ${quote(group.name)} cannot be renamed`
      : restricted,
  };
}

// The facts of group `name` in `db`; null when there is none.
export function getGroupFacts(db: AccountDatabase, defs: LoginDefs, name: string): GroupFacts | null {
  const view = getGroupView(db, defs, name);
  if (!view) return null;
  const helper = parseHelperName(name);
  const helperOf = helper && getHelperOwner(db, name) !== null ? { group: helper.owner, role: helper.role } : null;
  return { name, gid: view.gid, system: view.system, helperOf };
}

// Throws the refusal of getGroupDeletionRefusal as a 403 naming the group (404 when there is
// no such group), on the database as the transaction sees it.
export function checkGroupDeletion(
  db: AccountDatabase,
  defs: LoginDefs,
  name: string,
  adminGroups: readonly string[],
): void {
  const facts = getGroupFacts(db, defs, name);
  if (!facts) throw new CoreError('not-found', `No group named ${quote(name)}`, { field: 'name' });
  const refusal = getGroupDeletionRefusal(facts, adminGroups);
  if (refusal !== null) throw new CoreError('permission-denied', refusal, { field: 'name' });
}
