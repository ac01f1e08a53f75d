import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseLine } from './database-lines.ts';
import { getFullName, parsePasswd, type PasswdEntry } from './parse-passwd.ts';
import { parseGroup, type GroupEntry } from './parse-group.ts';
import { parseShadow, type ShadowEntry } from './parse-shadow.ts';

// An account with the names of every group it belongs to (primary first).
export interface AccountSummary {
  login: string;
  fullName: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  groups: string[];
}

function entriesOf<T>(lines: DatabaseLine<T>[]): T[] {
  return lines.flatMap((line) => (line.entry ? [line.entry] : []));
}

// Reads passwd and group under `root` and returns every account and group.
export async function readAccountDatabase(root: string): Promise<{ accounts: PasswdEntry[]; groups: GroupEntry[] }> {
  const [passwd, group] = await Promise.all([
    readFile(join(root, 'etc/passwd'), 'utf8'),
    readFile(join(root, 'etc/group'), 'utf8'),
  ]);
  return { accounts: entriesOf(parsePasswd(passwd)), groups: entriesOf(parseGroup(group)) };
}

// Finds one account and its groups under `root`; null when it does not exist.
export async function readAccountSummary(root: string, login: string): Promise<AccountSummary | null> {
  const { accounts, groups } = await readAccountDatabase(root);
  const account = accounts.find((entry) => entry.login === login);
  if (!account) return null;
  const primary = groups.find((group) => group.gid === account.gid);
  const supplementary = groups.filter((group) => group !== primary && group.members.includes(login));
  return {
    login: account.login,
    fullName: getFullName(account),
    uid: account.uid,
    gid: account.gid,
    home: account.home,
    shell: account.shell,
    groups: [...(primary ? [primary.name] : []), ...supplementary.map((group) => group.name)],
  };
}

// Reads one account's shadow entry under `root`; null when it has none.
export async function readShadowEntry(root: string, login: string): Promise<ShadowEntry | null> {
  const text = await readFile(join(root, 'etc/shadow'), 'utf8');
  return entriesOf(parseShadow(text)).find((entry) => entry.login === login) ?? null;
}
