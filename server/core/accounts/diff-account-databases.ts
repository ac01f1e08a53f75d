import type { AccountDatabase, DatabaseReader } from './account-database.ts';
import type { CoreEvents } from '../events/event-bus.ts';
import { parseHelperName } from './licorn-roles.ts';

// One fine-grained change between two versions of the account files.
export type AccountsChange = {
  [K in keyof CoreEvents]: { name: K; facility: 'accounts' | 'groups'; data: CoreEvents[K] };
}[
  | 'account-added'
  | 'account-changed'
  | 'account-removed'
  | 'group-added'
  | 'group-changed'
  | 'group-members-changed'
  | 'group-removed'];

const passwdFields = {
  uid: 'uid',
  gid: 'gid',
  gecos: 'fullName',
  home: 'home',
  shell: 'shell',
  password: 'passwordField',
} as const;
const shadowFields = {
  lastChange: 'passwordChanged',
  minDays: 'ageing',
  maxDays: 'ageing',
  warnDays: 'ageing',
  inactiveDays: 'ageing',
  expireDate: 'expiry',
  reserved: 'reserved',
} as const;

// Lists what changed from `before` to `after`, in the events' terms, comparing whole files
// (an outside change). Field names only: never a hash or another value from shadow.
// Only names whose entries are not the very same objects are compared field by field (a
// re-read keeps the entry of every unchanged line: DatabaseFile.withText); comparing every
// field of 10,000 accounts after each outside useradd cost 30 ms.
export function diffAccountDatabases(before: AccountDatabase, after: AccountDatabase): AccountsChange[] {
  const differ = (name: string, files: ('passwd' | 'shadow' | 'group' | 'gshadow' | 'descriptions')[]) =>
    files.some((file) => before[file].get(name) !== after[file].get(name));
  const logins = new Set([...names(before.passwd.entries(), 'login'), ...names(after.passwd.entries(), 'login')]);
  const groups = new Set([...names(before.group.entries(), 'name'), ...names(after.group.entries(), 'name')]);
  return diffNames(
    before,
    after,
    new Set([...logins].filter((login) => differ(login, ['passwd', 'shadow']))),
    new Set([...groups].filter((name) => differ(name, ['group', 'gshadow', 'descriptions']))),
  );
}

// Lists what changed for the given logins and groups only (a transaction knows which).
export function diffNames(
  before: DatabaseReader,
  after: DatabaseReader,
  logins: Set<string>,
  groups: Set<string>,
): AccountsChange[] {
  const changes: AccountsChange[] = [];
  for (const login of logins) {
    const old = before.passwd.get(login);
    const now = after.passwd.get(login);
    if (!old && now) changes.push({ name: 'account-added', facility: 'accounts', data: { login } });
    else if (old && !now) changes.push({ name: 'account-removed', facility: 'accounts', data: { login } });
    else if (old && now) {
      const fields = new Set<string>();
      for (const [key, field] of Object.entries(passwdFields))
        if (old[key as keyof typeof old] !== now[key as keyof typeof now]) fields.add(field);
      const oldShadow = before.shadow.get(login);
      const newShadow = after.shadow.get(login);
      if (oldShadow?.hash !== newShadow?.hash) {
        fields.add('password');
        if (oldShadow?.hash.startsWith('!') !== newShadow?.hash.startsWith('!')) fields.add('locked');
      }
      for (const [key, field] of Object.entries(shadowFields)) {
        if (oldShadow?.[key as keyof typeof oldShadow] !== newShadow?.[key as keyof typeof newShadow])
          fields.add(field);
      }
      if (fields.size > 0)
        changes.push({ name: 'account-changed', facility: 'accounts', data: { login, fields: [...fields] } });
    }
  }
  for (const name of groups) {
    const old = before.group.get(name);
    const now = after.group.get(name);
    if (!old && now) changes.push({ name: 'group-added', facility: 'groups', data: { name } });
    else if (old && !now) changes.push({ name: 'group-removed', facility: 'groups', data: { name } });
    else if (old && now) {
      const fields: string[] = [];
      if (old.gid !== now.gid) fields.push('gid');
      if (old.password !== now.password) fields.push('passwordField');
      const oldShadow = before.gshadow.get(name);
      const newShadow = after.gshadow.get(name);
      if (oldShadow?.password !== newShadow?.password) fields.push('password');
      if (oldShadow?.admins.join(',') !== newShadow?.admins.join(',')) fields.push('admins');
      if (before.descriptions.get(name)?.description !== after.descriptions.get(name)?.description)
        fields.push('description');
      if (fields.length > 0) changes.push({ name: 'group-changed', facility: 'groups', data: { name, fields } });
      const added = now.members.filter((member) => !old.members.includes(member));
      const removed = old.members.filter((member) => !now.members.includes(member));
      if (added.length > 0 || removed.length > 0) {
        const helper = parseHelperName(name);
        const role = helper && after.group.get(helper.owner) ? { roleIn: helper.owner, role: helper.role } : {};
        changes.push({ name: 'group-members-changed', facility: 'groups', data: { name, added, removed, ...role } });
      }
    }
  }
  return changes;
}

function names<T, K extends keyof T>(entries: Iterable<T>, key: K): T[K][] {
  return Array.from(entries, (entry) => entry[key]);
}
