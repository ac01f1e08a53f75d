import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import { accountNotFound } from './account-checks.ts';
import { checkNotRestricted } from './account-permissions.ts';
import { quoted, say } from '../messages.ts';

// Pure changes to a group's member lists (group and gshadow).

// Adds a member to a group (group and gshadow); adding one already there changes nothing.
export function applyAddMember(db: AccountDatabase, name: string, login: string): void {
  applyAddMembers(db, name, [login]);
}

// Adds members to a group in one change of its lines; those already there are skipped.
export function applyAddMembers(db: AccountDatabase, name: string, logins: string[]): void {
  const group = db.group.get(name);
  if (!group) throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field: 'group' });
  for (const login of logins) {
    const account = db.passwd.get(login);
    if (!account) throw accountNotFound(login);
    checkNotRestricted(account, 'member');
  }
  const present = new Set(group.members);
  const added = logins.filter((login) => !present.has(login) && present.add(login));
  if (added.length > 0) db.group.set({ ...group, members: [...group.members, ...added] });
  const shadow = db.gshadow.get(name) ?? { name, password: '!', admins: [], members: [] };
  const inShadow = new Set(shadow.members);
  const addedToShadow = logins.filter((login) => !inShadow.has(login) && inShadow.add(login));
  if (addedToShadow.length > 0) db.gshadow.set({ ...shadow, members: [...shadow.members, ...addedToShadow] });
}

// Removes a member from a group (group and gshadow).
export function applyRemoveMember(db: AccountDatabase, name: string, login: string): void {
  const group = db.group.get(name);
  if (!group) throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field: 'group' });
  if (!group.members.includes(login))
    throw new CoreError('not-found', say('groups.notMember', { login: quoted(login), name: quoted(name) }), {
      field: 'member',
    });
  const account = db.passwd.get(login);
  if (account) checkNotRestricted(account, 'member');
  db.group.set({ ...group, members: group.members.filter((member) => member !== login) });
  const shadow = db.gshadow.get(name);
  if (shadow) db.gshadow.set({ ...shadow, members: shadow.members.filter((member) => member !== login) });
}
