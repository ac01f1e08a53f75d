import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { GroupEntry } from './parse-group.ts';
import type { OperationContext } from './account-operations.ts';
import { allocateId, getIdIndex } from './id-index.ts';
import { validateId, validateName, quote } from './validate-fields.ts';

// Groups the web may never delete (Licorn's rule; the CLI as root may).
export const protectedGroups = ['admins', 'licorn-wmi', 'users', 'acl', 'root', 'sudo', 'shadow'];

// A new group.
export interface NewGroup {
  name: string;
  gid?: number;
  system?: boolean;
}

// Adds a group to group and gshadow.
export function applyCreateGroup(db: AccountDatabase, input: NewGroup, context: OperationContext): GroupEntry {
  const name = validateName(input.name, 'name');
  if (db.group.has(name) || db.gshadow.has(name)) throw new CoreError('already-exists', `The group ${quote(name)} already exists`, { field: 'name' });
  const { defs } = context;
  const [min, max, kind] = input.system ? [defs.sysGidMin, defs.sysGidMax, 'system groups'] : [defs.gidMin, defs.gidMax, 'standard groups'];
  const ids = getIdIndex(db);
  let gid: number;
  if (input.gid === undefined) {
    const free = allocateId(ids.gidOwners, ids.highest, min, max);
    if (free === null) throw new CoreError('conflict', `No free GID left for ${kind} (${min}–${max})`, { field: 'gid' });
    gid = free;
  } else {
    gid = validateId(input.gid, 'gid', min, max, kind);
    const owner = ids.gidOwners.get(gid);
    if (owner !== undefined) throw new CoreError('already-exists', `GID ${gid} is already used by ${owner}`, { field: 'gid' });
  }
  const entry: GroupEntry = { name, password: 'x', gid, members: [] };
  db.group.set(entry);
  ids.gidOwners.set(gid, name);
  db.gshadow.set({ name, password: '!', admins: [], members: [] });
  return entry;
}

// Deletes a group, refusing when it is someone's primary group or a protected group.
export function applyDeleteGroup(db: AccountDatabase, name: string, options: { allowProtected?: boolean } = {}): void {
  const group = db.group.get(name);
  if (!group) throw new CoreError('not-found', `No group named ${quote(name)}`, { field: 'name' });
  if (!options.allowProtected && protectedGroups.includes(name)) {
    throw new CoreError('permission-denied', `The group ${quote(name)} is protected and cannot be deleted`, { field: 'name' });
  }
  let user: { login: string } | undefined;
  for (const account of db.passwd.entries()) if (account.gid === group.gid) { user = account; break; }
  if (user) throw new CoreError('conflict', `The group ${quote(name)} is the primary group of ${user.login}; change that account's primary group first`, { field: 'name' });
  db.group.delete(name);
  db.gshadow.delete(name);
  const ids = getIdIndex(db);
  if (ids.gidOwners.get(group.gid) === name) ids.gidOwners.delete(group.gid);
}
