import type { AccountDatabase } from './account-database.ts';
import { isStandardId } from './account-ranges.ts';
import type { AccountView } from './account-schema.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import { getFullName } from './parse-passwd.ts';
import type { GroupEntry } from './parse-group.ts';
import type { GroupView } from './group-schema.ts';
import { getMembership } from './licorn-roles.ts';

// An account as the pages and the API show it: its schema and type are in account-schema.ts.
export type { AccountView } from './account-schema.ts';

// A group as the pages and the API show it: its schema and type are in group-schema.ts.
export type { GroupView } from './group-schema.ts';

// FNV-1a, 32 bits, in base 36: a version tag, not a secret (collisions only matter between
// two states of one account, one edit apart).
function getVersionTag(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

// Who is in which group, built once for listing many accounts (a 10,000-account list would
// otherwise scan every group for every account).
export interface MembershipIndex {
  groupByGid: Map<number, GroupEntry>;
  groupsByLogin: Map<string, string[]>;
  // The lists of the views made with this index, by their groups: accounts in the same
  // groups share one frozen pair (a third of 100,000 accounts in one group held 8 MiB of copies).
  lists: Map<string, ViewLists>;
}

type ViewLists = Pick<AccountView, 'groups' | 'memberships'>;

export function getMembershipIndex(db: AccountDatabase): MembershipIndex {
  const groupByGid = new Map<number, GroupEntry>();
  const groupsByLogin = new Map<string, string[]>();
  for (const group of db.group.entries()) {
    if (!groupByGid.has(group.gid)) groupByGid.set(group.gid, group);
    for (const member of group.members) {
      const names = groupsByLogin.get(member);
      if (names) names.push(group.name);
      else groupsByLogin.set(member, [group.name]);
    }
  }
  return { groupByGid, groupsByLogin, lists: new Map() };
}

// The same index for one account only, without a map of every member: after a change of the
// files a pushed row needs one view, and building the whole index for it cost tens of
// milliseconds per outside useradd at 100,000 accounts.
export function getAccountMemberships(db: AccountDatabase, login: string): MembershipIndex {
  const gid = db.passwd.get(login)?.gid;
  const groupByGid = new Map<number, GroupEntry>();
  const names: string[] = [];
  for (const group of db.group.entries()) {
    if (group.gid === gid && !groupByGid.has(gid)) groupByGid.set(gid, group);
    if (group.members.includes(login)) names.push(group.name);
  }
  return { groupByGid, groupsByLogin: new Map([[login, names]]), lists: new Map() };
}

// An account's groups as roles: one entry per group, a standard group's three groups folded
// into the one role (Licorn keeps an account in one of them; should the files hold two, the
// highest role is the one that counts).
function getMemberships(db: AccountDatabase, groups: readonly string[]): AccountView['memberships'] {
  const byGroup = new Map<string, AccountView['memberships'][number]>();
  const rank = { guest: 1, member: 2, responsible: 3 } as const;
  for (const name of groups) {
    const membership = getMembership(db, name);
    const known = byGroup.get(membership.group);
    if (!known || (membership.role && known.role && rank[membership.role] > rank[known.role]))
      byGroup.set(membership.group, membership);
  }
  return [...byGroup.values()];
}

// The lists of an account in no group, shared (frozen) by such views: 100,000 accounts held
// two empty arrays each.
const noLists: ViewLists = { groups: Object.freeze([]) as never, memberships: Object.freeze([]) as never };

// An account's groups (but its primary) and their roles, the same frozen lists for every
// account of the index in the same groups.
function getViewLists(db: AccountDatabase, index: MembershipIndex, login: string, primary: string | null): ViewLists {
  const names = index.groupsByLogin.get(login);
  const groups = names ? names.filter((name) => name !== primary) : [];
  if (groups.length === 0) return noLists;
  const key = groups.join('\n');
  let lists = index.lists.get(key);
  if (!lists) {
    const memberships = getMemberships(db, groups).map((membership) => Object.freeze(membership));
    lists = { groups: Object.freeze(groups) as never, memberships: Object.freeze(memberships) as never };
    index.lists.set(key, lists);
  }
  return lists;
}

// Builds the view of one account; null when it does not exist. Pass an index when viewing
// many.
export function getAccountView(
  db: AccountDatabase,
  defs: LoginDefs,
  login: string,
  index = getMembershipIndex(db),
): AccountView | null {
  const account = db.passwd.get(login);
  if (!account) return null;
  const shadow = db.shadow.get(login);
  const primary = index.groupByGid.get(account.gid)?.name ?? null;
  const { groups, memberships } = getViewLists(db, index, login, primary);
  const fields: Omit<AccountView, 'version'> = {
    login,
    fullName: getFullName(account),
    uid: account.uid,
    gid: account.gid,
    primaryGroup: primary,
    groups,
    memberships,
    home: account.home,
    shell: account.shell,
    locked: shadow?.hash.startsWith('!') ?? false,
    system: !isStandardId(account.uid, defs.uidMin, defs.uidMax),
    passwordChanged: shadow?.lastChange ?? null,
    expiry: shadow?.expireDate ?? null,
  };
  // The view is a second literal with its version in it, not `fields` with the version added:
  // an added property went to a property array of its own (3.8 MiB at 100,000 accounts).
  const version = getVersionTag(JSON.stringify(fields));
  return {
    login: fields.login,
    fullName: fields.fullName,
    uid: fields.uid,
    gid: fields.gid,
    primaryGroup: fields.primaryGroup,
    groups: fields.groups,
    memberships: fields.memberships,
    home: fields.home,
    shell: fields.shell,
    locked: fields.locked,
    system: fields.system,
    passwordChanged: fields.passwordChanged,
    expiry: fields.expiry,
    version,
  };
}

// Adds its version tag to a view (the hash of its JSON without it). Added to the object
// itself, not spread into a copy: `{ ...view, version }` gave every copy a hidden class of
// its own, 10,000 of them after an import (5 MB kept with the accounts list, and slow reads).
function withVersion<T extends object>(view: T & { version?: string }): T & { version: string } {
  view.version = getVersionTag(JSON.stringify(view));
  return view as T & { version: string };
}

// Builds the view of one group.
export function getGroupView(db: AccountDatabase, defs: LoginDefs, name: string): GroupView | null {
  const group = db.group.get(name);
  if (!group) return null;
  const view = {
    name,
    gid: group.gid,
    description: db.descriptions.get(name)?.description ?? '',
    members: group.members,
    system: !isStandardId(group.gid, defs.gidMin, defs.gidMax),
  };
  return withVersion(view);
}
