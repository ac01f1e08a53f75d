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

// Parses the text of a passwd file, keeping every line.
export function parsePasswd(text: string): DatabaseLine<PasswdEntry>[] {
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
      shell: shell!,
    };
  });
}

// The full name of an account: the first comma-separated field of its GECOS.
export function getFullName(entry: PasswdEntry): string {
  return entry.gecos.split(',')[0] ?? '';
}

// Writes an account back as a passwd line.
export function formatPasswd(entry: PasswdEntry): string {
  return [entry.login, entry.password, entry.uid, entry.gid, entry.gecos, entry.home, entry.shell].join(':');
}
