import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { GroupEntry } from './parse-group.ts';
import type { OperationContext } from './account-operations.ts';
import { allocateId, getIdIndex } from './id-index.ts';
import { getHelperNames, getHelperOf, getHelperOwner, hasRoles, parseHelperName } from './licorn-roles.ts';
import { validateDescription, validateId, validateName } from './validate-fields.ts';
import type { NewGroupBody } from './group-schema.ts';
import { type CoreMessage, quoted, say } from '../messages.ts';

// Licorn's own groups, never deleted through the interface (the rule: group-protection.ts).
export { protectedGroups } from './group-protection.ts';

// The longest standard group name: its helpers (`rsp-` + name) must fit in 32 characters.
export const maxStandardGroupLength = 28;

// A new group. A standard one (not `system`) gets its rsp-/gst- helpers unless `roles` is
// false.
export type NewGroup = NewGroupBody & {
  roles?: boolean;
};

// "responsibles" or "guests": what a helper group holds, in words.
function describeHelper(name: string): CoreMessage {
  return say(parseHelperName(name)?.role === 'responsible' ? 'roles.people.responsible' : 'roles.people.guest');
}

// Refuses a name that Licorn reads as the responsibles or guests of an existing group.
function checkNotHelperName(db: AccountDatabase, name: string, field: 'name' | 'newName'): void {
  const owner = getHelperOwner(db, name);
  if (owner === null) return;
  const message = say('groups.nameKept', { name: quoted(name), people: describeHelper(name), owner });
  throw new CoreError('already-exists', message, { field });
}

function addGroup(
  db: AccountDatabase,
  name: string,
  gid: number | undefined,
  system: boolean,
  context: OperationContext,
): GroupEntry {
  if (db.group.has(name) || db.gshadow.has(name))
    throw new CoreError('already-exists', say('groups.exists', { name: quoted(name) }), { field: 'name' });
  const { defs } = context;
  const [min, max, kind] = system
    ? [defs.sysGidMin, defs.sysGidMax, say('ids.kind.systemGroups')]
    : [defs.gidMin, defs.gidMax, say('ids.kind.standardGroups')];
  const ids = getIdIndex(db);
  let chosen: number;
  if (gid === undefined) {
    const free = allocateId(ids.gidOwners, ids.highestGid, min, max);
    if (free === null) throw new CoreError('conflict', say('ids.noFreeGid', { kind, min, max }), { field: 'gid' });
    chosen = free;
  } else {
    chosen = validateId(gid, 'gid', min, max, kind);
    const owner = ids.gidOwners.get(chosen);
    if (owner !== undefined)
      throw new CoreError('already-exists', say('ids.gidUsed', { gid: chosen, owner }), { field: 'gid' });
  }
  const entry: GroupEntry = { name, password: 'x', gid: chosen, members: [] };
  db.group.set(entry);
  ids.gidOwners.set(chosen, name);
  db.gshadow.set({ name, password: '!', admins: [], members: [] });
  return entry;
}

// Adds a group to group and gshadow; a standard group with its helper groups.
export function applyCreateGroup(db: AccountDatabase, input: NewGroup, context: OperationContext): GroupEntry {
  const name = validateName(input.name, 'name');
  const withRoles = !input.system && input.roles !== false;
  // An existing group is named as such first, before anything about its roles.
  if (db.group.has(name) || db.gshadow.has(name))
    throw new CoreError('already-exists', say('groups.existsPlain', { name }), { field: 'name' });
  if (withRoles && name.length > maxStandardGroupLength) {
    const message = say('groups.nameTooLongForRoles', { name: quoted(name), max: maxStandardGroupLength });
    throw new CoreError('invalid-argument', message, { field: 'name' });
  }
  checkNotHelperName(db, name, 'name');
  const description = input.description === undefined ? '' : validateDescription(input.description);
  const helpers = getHelperNames(name);
  if (withRoles) {
    for (const [helper, people] of [
      [helpers.responsibles, say('roles.people.responsible')],
      [helpers.guests, say('roles.people.guest')],
    ] as const) {
      if (db.group.has(helper!) || db.gshadow.has(helper!)) {
        const message = say('groups.helperTaken', { name, helper, people });
        throw new CoreError('already-exists', message, { field: 'name' });
      }
    }
  }
  const entry = addGroup(db, name, input.gid, !!input.system, context);
  if (description !== '') db.descriptions.set({ name, description });
  if (withRoles) {
    addGroup(db, helpers.responsibles, undefined, true, context);
    addGroup(db, helpers.guests, undefined, true, context);
    // Shares are owned by Licorn's `acl` system group, which Debian does not have: made with
    // the first standard group, as Licorn did, rather than leave the shares root:root.
    if (!db.group.has('acl')) addGroup(db, 'acl', undefined, true, context);
  }
  return entry;
}

function removeGroup(db: AccountDatabase, name: string): void {
  const group = db.group.get(name)!;
  for (const account of db.passwd.entries()) {
    if (account.gid === group.gid) {
      throw new CoreError('conflict', say('groups.primaryOf', { name: quoted(name), login: account.login }), {
        field: 'name',
      });
    }
  }
  db.group.delete(name);
  db.gshadow.delete(name);
  db.descriptions.delete(name);
  const ids = getIdIndex(db);
  if (ids.gidOwners.get(group.gid) === name) ids.gidOwners.delete(group.gid);
}

// Deletes a group (and its helpers), refusing a helper group on its own (it would leave its
// standard group half made) and someone's primary group, each with the reason. Which groups
// the interface may delete at all is checkGroupDeletion's (group-protection.ts), asked first.
export function applyDeleteGroup(db: AccountDatabase, name: string): void {
  if (!db.group.has(name))
    throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field: 'name' });
  const owner = getHelperOf(db, name)?.group;
  if (owner !== undefined)
    throw new CoreError(
      'permission-denied',
      say('groups.helperDelete', { name: quoted(name), people: describeHelper(name), owner }),
      { field: 'name' },
    );
  const helpers = hasRoles(db, name) ? Object.values(getHelperNames(name)) : [];
  removeGroup(db, name);
  for (const helper of helpers) removeGroup(db, helper);
}

// Renames a group in place (and its helper groups); its GID and members stay.
export function applyRenameGroup(db: AccountDatabase, name: string, newName: string): void {
  const group = db.group.get(name);
  if (!group) throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field: 'name' });
  const target = validateName(newName, 'newName');
  const owner = getHelperOf(db, name)?.group;
  if (owner !== undefined) {
    const message = say('groups.helperRename', { name: quoted(name), people: describeHelper(name), owner });
    throw new CoreError('permission-denied', message, { field: 'name' });
  }
  checkNotHelperName(db, target, 'newName');
  const pairs: [string, string][] = [[name, target]];
  if (hasRoles(db, name)) {
    if (target.length > maxStandardGroupLength)
      throw new CoreError(
        'invalid-argument',
        say('groups.nameTooLong', { name: quoted(target), max: maxStandardGroupLength }),
        { field: 'newName' },
      );
    const from = getHelperNames(name);
    const to = getHelperNames(target);
    pairs.push([from.responsibles, to.responsibles], [from.guests, to.guests]);
  }
  for (const [, to] of pairs) {
    if (db.group.has(to) || db.gshadow.has(to))
      throw new CoreError('already-exists', say('groups.exists', { name: quoted(to) }), { field: 'newName' });
  }
  const ids = getIdIndex(db);
  for (const [from, to] of pairs) {
    const entry = db.group.get(from)!;
    db.group.rename(from, { ...entry, name: to });
    ids.gidOwners.set(entry.gid, to);
    const shadow = db.gshadow.get(from);
    if (shadow) db.gshadow.rename(from, { ...shadow, name: to });
    const description = db.descriptions.get(from);
    if (description) db.descriptions.rename(from, { ...description, name: to });
  }
}

// Sets (or, empty, removes) a group's description.
export function applySetGroupDescription(db: AccountDatabase, name: string, description: string): void {
  if (!db.group.has(name))
    throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field: 'name' });
  const text = validateDescription(description);
  if (text === '') db.descriptions.delete(name);
  else db.descriptions.set({ name, description: text });
}
