import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import { checkNotRestricted } from './account-permissions.ts';
import { type Group, groupRoleSchema, type GroupRole } from './group-schema.ts';
import type { Membership } from './account-schema.ts';
import { quoted, say } from '../messages.ts';

// A user's place in a standard group G: guest (in gst-G), member (in G), responsible (in
// rsp-G), or none. Licorn keeps a user in exactly one of the three.
export type { GroupRole } from './group-schema.ts';
export const groupRoles: readonly GroupRole[] = groupRoleSchema.enum;

// The helper groups of a standard group.
export function getHelperNames(name: string): { responsibles: string; guests: string } {
  return { responsibles: `rsp-${name}`, guests: `gst-${name}` };
}

// What a helper group's name says: the standard group it would belong to and the role it
// holds (rsp-G: responsibles, gst-G: guests); null for any other name. The only place
// that reads the prefixes.
export function parseHelperName(name: string): { owner: string; role: 'responsible' | 'guest' } | null {
  const match = /^(rsp|gst)-(.+)$/.exec(name);
  return match ? { owner: match[2]!, role: match[1] === 'rsp' ? 'responsible' : 'guest' } : null;
}

// The group whose helper `name` would be read as (rsp-G or gst-G with G present), whether or
// not G has both: a name the interface never gives a new group. Whether `name` is a helper
// now is getHelperOf's.
export function getHelperOwner(db: AccountDatabase, name: string): string | null {
  const helper = parseHelperName(name);
  return helper && db.group.has(helper.owner) ? helper.owner : null;
}

// The standard group and role group `name` holds when it is a helper group: rsp-G or gst-G
// of a group G that has both (hasRoles); null for any other group, such as an `rsp-G` made in
// a shell beside a G without roles. The one definition the API, the CLI and the pages use.
export function getHelperOf(db: AccountDatabase, name: string): Group['helperOf'] {
  const helper = parseHelperName(name);
  return helper && hasRoles(db, helper.owner) ? { group: helper.owner, role: helper.role } : null;
}

// What being in group `name` means, as people read it: a helper group is a role in its
// standard group (rsp-G: responsible of G, gst-G: guest of G), a standard group is its
// member role, any other group is itself without a role.
export function getMembership(db: AccountDatabase, name: string): Membership {
  const helperOf = getHelperOf(db, name);
  if (helperOf) return helperOf;
  return { group: name, role: hasRoles(db, name) ? 'member' : null };
}

// Whether a group carries Licorn roles (both helper groups exist).
export function hasRoles(db: AccountDatabase, name: string): boolean {
  const helpers = getHelperNames(name);
  return db.group.has(helpers.responsibles) && db.group.has(helpers.guests);
}

function getGroupsOf(db: AccountDatabase, name: string): Record<Exclude<GroupRole, 'none'>, string> {
  if (!db.group.has(name))
    throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field: 'group' });
  if (!hasRoles(db, name))
    throw new CoreError('invalid-argument', say('roles.noRoles', { name: quoted(name) }), { field: 'group' });
  const helpers = getHelperNames(name);
  return { member: name, responsible: helpers.responsibles, guest: helpers.guests };
}

// The role of `login` in standard group `name`.
export function getRole(db: AccountDatabase, name: string, login: string): GroupRole {
  const groups = getGroupsOf(db, name);
  for (const role of ['responsible', 'member', 'guest'] as const) {
    if (db.group.get(groups[role])!.members.includes(login)) return role;
  }
  return 'none';
}

// Gives `login` exactly one role in standard group `name` (or none): it leaves the other two
// groups of the three and joins the one of its role.
export function applySetRole(db: AccountDatabase, name: string, login: string, role: GroupRole): void {
  if (!groupRoles.includes(role))
    throw new CoreError(
      'invalid-argument',
      say('roles.invalid', { role: quoted(role), valid: groupRoles.join(', ') }),
      {
        field: 'role',
      },
    );
  const account = db.passwd.get(login);
  if (!account)
    throw new CoreError('not-found', say('accounts.notFound', { login: quoted(login) }), { field: 'login' });
  checkNotRestricted(account);
  const groups = getGroupsOf(db, name);
  for (const [groupRole, groupName] of Object.entries(groups)) {
    const group = db.group.get(groupName)!;
    const wanted = groupRole === role;
    const present = group.members.includes(login);
    if (wanted === present) continue;
    const members = wanted ? [...group.members, login] : group.members.filter((member) => member !== login);
    db.group.set({ ...group, members });
    const shadow = db.gshadow.get(groupName);
    if (shadow) {
      const shadowMembers = wanted
        ? [...new Set([...shadow.members, login])]
        : shadow.members.filter((member) => member !== login);
      db.gshadow.set({ ...shadow, members: shadowMembers });
    }
  }
}
