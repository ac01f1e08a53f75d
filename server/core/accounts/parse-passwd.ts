import { parseDatabaseLines, parseOptionalNumber, type DatabaseLine } from './database-lines.ts';

// One account as /etc/passwd describes it.
export interface PasswdEntry {
  login: string;
  password: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

// Parses the text of a passwd file, keeping every line. A shell is one string for all the
// accounts that have it: each line's own copy of "/bin/bash" was 3 MiB at 100,000 accounts.
export function parsePasswd(text: string): DatabaseLine<PasswdEntry>[] {
  const shells = new Map<string, string>();
  return parseDatabaseLines(text, 7, ([login, password, uid, gid, gecos, home, shell]) => {
    const uidNumber = parseOptionalNumber(uid!);
    const gidNumber = parseOptionalNumber(gid!);
    if (login === '' || uidNumber === null || gidNumber === null) return null;
    return {
      login: login!,
      password: password!,
      uid: uidNumber,
      gid: gidNumber,
      gecos: gecos!,
      home: home!,
      shell: internShell(shells, shell!),
    };
  });
}

// The few shells of a file kept once each (a file with a shell per account keeps its own).
function internShell(shells: Map<string, string>, shell: string): string {
  const known = shells.get(shell);
  if (known !== undefined) return known;
  if (shells.size < 64) shells.set(shell, shell);
  return shell;
}

// The full name of an account: the first comma-separated field of its GECOS (the GECOS
// itself when it has no comma: split() made a new string per account, 3 MiB at 100,000).
export function getFullName(entry: PasswdEntry): string {
  const comma = entry.gecos.indexOf(',');
  return comma === -1 ? entry.gecos : entry.gecos.slice(0, comma);
}

// Writes an account back as a passwd line.
export function formatPasswd(entry: PasswdEntry): string {
  return [entry.login, entry.password, entry.uid, entry.gid, entry.gecos, entry.home, entry.shell].join(':');
}
