import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import type { Group } from './group-schema.ts';
import { getGroupView } from './account-view.ts';
import { isRestrictedGid } from './account-ranges.ts';
import { getHelperOwner, parseHelperName } from './licorn-roles.ts';
import { type CoreMessage, type CoreMessageKey, quoted, say } from '../messages.ts';

// Which groups the interface (API, CLI, pages: everyone, admins and root included) never
// deletes, and why, in one place: the API and the CLI refuse with these words and the group's
// page shows them instead of a Delete button. A shell's groupdel stays the way for a group
// that really must go: it runs the system's own hooks, and nobody removes a package's group by
// a click meant for people's groups.

// Licorn's own groups, each with what it is for (the reason a deletion is refused): a key of
// the core's catalogue (groups.protection.reasons.*), said in the reader's language.
export const protectedGroupReasons: Readonly<Record<string, CoreMessageKey>> = {
  admins: 'groups.protection.reasons.admins',
  'licorn-wmi': 'groups.protection.reasons.licornWmi',
  sudo: 'groups.protection.reasons.sudo',
  users: 'groups.protection.reasons.users',
  acl: 'groups.protection.reasons.acl',
  root: 'groups.protection.reasons.root',
  shadow: 'groups.protection.reasons.shadow',
};

// The names of Licorn's own groups.
export const protectedGroups: readonly string[] = Object.keys(protectedGroupReasons);

// What the rule reads of a group (its view and details have these).
export type GroupFacts = Pick<Group, 'name' | 'gid' | 'system' | 'helperOf'>;

// Why the interface refuses to delete `group` (null: it may be deleted), most telling reason
// first: Licorn's own and the administrators' groups (`adminGroups`: auth.admin_groups), a
// restricted group (GID below 300 or above 29999), a helper group (a role of its standard
// group, which goes with it), a system group (a package's or a service's).
export function getGroupDeletionRefusal(group: GroupFacts, adminGroups: readonly string[]): CoreMessage | null {
  const name = quoted(group.name);
  const own = protectedGroupReasons[group.name];
  if (own !== undefined) return say('groups.protection.protected', { name, why: say(own) });
  if (adminGroups.includes(group.name)) return say('groups.protection.adminGroup', { name });
  if (isRestrictedGid(group.gid)) return say('groups.protection.restricted', { name, gid: group.gid });
  if (group.helperOf) {
    const { group: owner, role } = group.helperOf;
    const people = say(role === 'responsible' ? 'roles.people.responsible' : 'roles.people.guest');
    return say('groups.protection.helper', { name, people, owner });
  }
  if (group.system) return say('groups.protection.system', { name, gid: group.gid });
  return null;
}

// Why a group may not be deleted or renamed through the interface (null: it may), for the
// group's page to offer only what the server would do, with the server's own words.
export function getGroupRefusals(
  group: GroupFacts,
  adminGroups: readonly string[],
): { delete: CoreMessage | null; rename: CoreMessage | null } {
  const name = quoted(group.name);
  const restricted = isRestrictedGid(group.gid)
    ? say('permissions.restrictedGroupPage', { name, gid: group.gid })
    : null;
  return {
    delete: getGroupDeletionRefusal(group, adminGroups),
    rename: adminGroups.includes(group.name) ? say('permissions.adminGroupRename', { name }) : restricted,
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
  if (!facts) throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field: 'name' });
  const refusal = getGroupDeletionRefusal(facts, adminGroups);
  if (refusal !== null) throw new CoreError('permission-denied', refusal, { field: 'name' });
}
