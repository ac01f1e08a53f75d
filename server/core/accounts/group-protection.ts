import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import type { Group } from './group-schema.ts';
import { getGroupView } from './account-view.ts';
import { isRestrictedGid } from './account-ranges.ts';
import { getHelperNames, getHelperOf } from './licorn-roles.ts';
import { type CoreMessage, type CoreMessageKey, quoted, say } from '../messages.ts';

// Which groups the interface (API, CLI, pages: everyone, admins and root included) never
// deletes nor renames, and why, in one place: the API and the CLI refuse with these words and
// the group's page shows them instead of its Delete and Rename buttons. A shell's groupdel or
// groupmod stays the way for a group that really must change: nobody removes or renames a
// package's group by a click meant for people's groups.

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

// What Licorn's own group `name` is for (undefined: not one of them), read as an own key only:
// a group may be named `constructor` or `__proto__`.
function getOwnGroupReason(name: string): CoreMessageKey | undefined {
  return Object.hasOwn(protectedGroupReasons, name) ? protectedGroupReasons[name] : undefined;
}

// What the rule reads of a group (its view and details have these).
export type GroupFacts = Pick<Group, 'name' | 'gid' | 'system' | 'helperOf'>;

// What the interface would do to a group that the rule may refuse.
export type GroupAction = 'delete' | 'rename';

// The refusal's words for each reason, per action: a renamed group is lost by its name just
// as a deleted one (a package's group renamed is a package broken; `acl` renamed lets the next
// standard group make a second `acl`), so the same groups are refused, in the action's words.
const refusalKeys = {
  delete: {
    protected: 'groups.protection.protected',
    adminGroup: 'groups.protection.adminGroup',
    restricted: 'groups.protection.restricted',
    helper: 'groups.protection.helper',
    system: 'groups.protection.system',
  },
  rename: {
    protected: 'groups.protection.rename.protected',
    adminGroup: 'groups.protection.rename.adminGroup',
    restricted: 'groups.protection.restricted',
    helper: 'groups.protection.rename.helper',
    system: 'groups.protection.rename.system',
  },
} as const satisfies Record<GroupAction, Record<string, CoreMessageKey>>;

// Why the interface refuses to delete or rename `group` (null: it may), most telling reason
// first: Licorn's own and the administrators' groups (`adminGroups`: auth.admin_groups), a
// restricted group (GID below 300 or above 29999), a helper group (a role of its standard
// group, which takes it along), a system group (a package's or a service's).
export function getGroupRefusal(
  group: GroupFacts,
  adminGroups: readonly string[],
  action: GroupAction,
): CoreMessage | null {
  const keys = refusalKeys[action];
  const name = quoted(group.name);
  const own = getOwnGroupReason(group.name);
  if (own !== undefined) return say(keys.protected, { name, why: say(own) });
  if (adminGroups.includes(group.name)) return say(keys.adminGroup, { name });
  if (isRestrictedGid(group.gid)) return say(keys.restricted, { name, gid: group.gid });
  if (group.helperOf) {
    const { group: owner, role } = group.helperOf;
    const people = say(role === 'responsible' ? 'roles.people.responsible' : 'roles.people.guest');
    return say(keys.helper, { name, people, owner });
  }
  if (group.system) return say(keys.system, { name, gid: group.gid });
  return null;
}

// Why the interface refuses to delete `group` (null: it may be deleted): getGroupRefusal's.
export function getGroupDeletionRefusal(group: GroupFacts, adminGroups: readonly string[]): CoreMessage | null {
  return getGroupRefusal(group, adminGroups, 'delete');
}

// Why a group may not be deleted or renamed through the interface (null: it may), for the
// group's page to offer only what the server would do, with the server's own words.
export function getGroupRefusals(
  group: GroupFacts,
  adminGroups: readonly string[],
): Record<GroupAction, CoreMessage | null> {
  return {
    delete: getGroupRefusal(group, adminGroups, 'delete'),
    rename: getGroupRefusal(group, adminGroups, 'rename'),
  };
}

// The facts of group `name` in `db`; null when there is none.
export function getGroupFacts(db: AccountDatabase, defs: LoginDefs, name: string): GroupFacts | null {
  const view = getGroupView(db, defs, name);
  if (!view) return null;
  return { name, gid: view.gid, system: view.system, helperOf: getHelperOf(db, name) };
}

// Throws the refusal of getGroupRefusal as a 403 naming the group (404 when there is no such
// group), on the database as the transaction sees it.
function checkGroupAction(
  db: AccountDatabase,
  defs: LoginDefs,
  name: string,
  adminGroups: readonly string[],
  action: GroupAction,
  field = 'name',
): void {
  const facts = getGroupFacts(db, defs, name);
  if (!facts) throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field });
  const refusal = getGroupRefusal(facts, adminGroups, action);
  if (refusal !== null) throw new CoreError('permission-denied', refusal, { field });
}

// Refuses deleting a group the interface never deletes (getGroupRefusal), in a transaction.
export function checkGroupDeletion(
  db: AccountDatabase,
  defs: LoginDefs,
  name: string,
  adminGroups: readonly string[],
): void {
  checkGroupAction(db, defs, name, adminGroups, 'delete');
}

// Refuses renaming a group the interface never deletes (getGroupRefusal), and taking the name
// of one of Licorn's own groups that does not exist (yet): a group renamed `acl` would own
// every share made after it, in a transaction. `fields`: the request's fields naming the group
// and the new name.
export function checkGroupRename(
  db: AccountDatabase,
  defs: LoginDefs,
  name: string,
  newName: string,
  adminGroups: readonly string[],
  fields: { name: string; newName: string } = { name: 'name', newName: 'newName' },
): void {
  checkGroupAction(db, defs, name, adminGroups, 'rename', fields.name);
  const own = getOwnGroupReason(newName);
  if (own === undefined) return;
  const message = say('groups.protection.rename.ownName', { from: quoted(name), name: quoted(newName), why: say(own) });
  throw new CoreError('permission-denied', message, { field: fields.newName });
}

// Refuses renaming an account's private group with it (`renameGroup`: the group named like the
// account, of its GID) when that group may not be renamed (checkGroupRename), in a transaction.
export function checkPrivateGroupRename(
  db: AccountDatabase,
  defs: LoginDefs,
  login: string,
  newLogin: string,
  adminGroups: readonly string[],
): void {
  const account = db.passwd.get(login);
  const group = db.group.get(login);
  if (!account || !group || group.gid !== account.gid) return;
  checkGroupRename(db, defs, login, newLogin, adminGroups, { name: 'renameGroup', newName: 'newLogin' });
  // A group with roles (and a share) is renamed with its helper groups and share by a group
  // rename; renamed along with an account, they stayed under the old name (red team 11 F2).
  const helpers = getHelperNames(login);
  if (db.group.has(helpers.responsibles) || db.group.has(helpers.guests)) {
    const message = say('groups.protection.rename.privateWithRoles', { name: quoted(login) });
    throw new CoreError('permission-denied', message, { field: 'renameGroup' });
  }
}
