import type { AccountDatabase } from './account-database.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import { getFullName } from './parse-passwd.ts';

// An account as the pages and the API show it (never its hash).
export interface AccountView {
  login: string;
  fullName: string;
  uid: number;
  gid: number;
  primaryGroup: string | null;
  groups: string[];
  home: string;
  shell: string;
  locked: boolean;
  system: boolean;
  passwordChanged: number | null;
  expiry: number | null;
}

// A group as the pages and the API show it.
export interface GroupView {
  name: string;
  gid: number;
  description: string;
  members: string[];
  system: boolean;
}

// Builds the view of one account; null when it does not exist.
export function getAccountView(db: AccountDatabase, defs: LoginDefs, login: string): AccountView | null {
  const account = db.passwd.get(login);
  if (!account) return null;
  const shadow = db.shadow.get(login);
  const primary = Array.from(db.group.entries()).find((group) => group.gid === account.gid) ?? null;
  const groups = Array.from(db.group.entries()).filter((group) => group !== primary && group.members.includes(login)).map((group) => group.name);
  return {
    login,
    fullName: getFullName(account),
    uid: account.uid,
    gid: account.gid,
    primaryGroup: primary?.name ?? null,
    groups,
    home: account.home,
    shell: account.shell,
    locked: shadow?.hash.startsWith('!') ?? false,
    system: account.uid < defs.uidMin || account.uid > defs.uidMax,
    passwordChanged: shadow?.lastChange ?? null,
    expiry: shadow?.expireDate ?? null,
  };
}

// Builds the view of one group.
export function getGroupView(db: AccountDatabase, defs: LoginDefs, name: string): GroupView | null {
  const group = db.group.get(name);
  if (!group) return null;
  return {
    name, gid: group.gid, description: db.descriptions.get(name)?.description ?? '',
    members: group.members, system: group.gid < defs.gidMin || group.gid > defs.gidMax,
  };
}
