import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseFile, type FileChanges } from './database-file.ts';
import type { DatabaseLine } from './database-lines.ts';
import { forgetIdIndex } from './id-index.ts';
import { forgetHomeIndex } from './home-paths.ts';
import { formatPasswd, parsePasswd, type PasswdEntry } from './parse-passwd.ts';
import { formatShadow, parseShadow, type ShadowEntry } from './parse-shadow.ts';
import { formatGroup, parseGroup, type GroupEntry } from './parse-group.ts';
import { formatGshadow, parseGshadow, type GshadowEntry } from './parse-gshadow.ts';
import { formatGroupDescription, parseGroupDescriptions, type GroupDescription } from './parse-group-descriptions.ts';

// The files, in the order shadow-utils locks and writes them; then Licorn's own.
export const databaseNames = ['passwd', 'shadow', 'group', 'gshadow', 'descriptions'] as const;
export type DatabaseName = (typeof databaseNames)[number];

// Where each file is, under the root's etc/.
export const databasePaths: Record<DatabaseName, string> = {
  passwd: 'passwd',
  shadow: 'shadow',
  group: 'group',
  gshadow: 'gshadow',
  descriptions: 'licorn/group-descriptions',
};

// What identifies a version of a file without reading it (cockpit's tag_from_stat):
// a rename-replace changes the inode, an edit in place the size or mtime.
export type FileTag = string;

// Read access to the four files by name (a database, or one as it was before a change).
export interface DatabaseReader {
  passwd: { get(name: string): PasswdEntry | undefined };
  shadow: { get(name: string): ShadowEntry | undefined };
  group: { get(name: string): GroupEntry | undefined };
  gshadow: { get(name: string): GshadowEntry | undefined };
  descriptions: { get(name: string): GroupDescription | undefined };
}

// The machine's accounts and groups as the files hold them.
export class AccountDatabase {
  constructor(
    readonly passwd: DatabaseFile<PasswdEntry>,
    readonly shadow: DatabaseFile<ShadowEntry>,
    readonly group: DatabaseFile<GroupEntry>,
    readonly gshadow: DatabaseFile<GshadowEntry>,
    readonly descriptions: DatabaseFile<GroupDescription>,
  ) {}

  // Builds a database from the files' texts (no descriptions file: none).
  static parse(passwd: string, shadow: string, group: string, gshadow: string, descriptions = ''): AccountDatabase {
    return new AccountDatabase(
      parseDatabaseFile.passwd(passwd),
      parseDatabaseFile.shadow(shadow),
      parseDatabaseFile.group(group),
      parseDatabaseFile.gshadow(gshadow),
      parseDatabaseFile.descriptions(descriptions),
    );
  }

  // Builds a database from the files' bytes (kept: the next write splices them).
  static fromBytes(files: Record<DatabaseName, Buffer>): AccountDatabase {
    const file = <K extends DatabaseName>(name: K) =>
      parseDatabaseFile[name](files[name].toString('utf8'), files[name]) as AccountDatabase[K];
    const passwd = file('passwd');
    // shadow's logins are passwd's strings (one copy of each login for both files).
    const shadow = parseDatabaseFile.shadow(
      files.shadow.toString('utf8'),
      files.shadow,
      (login) => passwd.get(login)?.login,
    );
    return new AccountDatabase(passwd, shadow, file('group'), file('gshadow'), file('descriptions'));
  }

  // This database with one file replaced by a new text of it (an outside change), read as
  // `bytes` when given.
  withText(name: DatabaseName, text: string, bytes?: Buffer): AccountDatabase {
    const reparse = <K extends DatabaseName>(key: K) =>
      (this[key] as DatabaseFile<unknown>).withText(
        text,
        parseLines[key] as (text: string) => DatabaseLine<unknown>[],
        bytes,
      );
    const file = <K extends DatabaseName>(key: K) => (key === name ? reparse(key) : this[key]) as AccountDatabase[K];
    return new AccountDatabase(file('passwd'), file('shadow'), file('group'), file('gshadow'), file('descriptions'));
  }

  // Takes in an outside change that only appended whole lines to some files (`tails`: the
  // bytes each file now holds past its kept ones, readAppendedBytes; useradd and groupadd
  // append), in place, and returns the names it added with what they were before.
  appendOutside(tails: ReadonlyMap<DatabaseName, Buffer>): AppendedNames {
    const parsed: [DatabaseName, DatabaseLine<unknown>[], Buffer][] = [];
    for (const [name, tail] of tails) {
      const parse = parseLines[name] as (text: string) => DatabaseLine<unknown>[];
      parsed.push([name, tail.length === 0 ? [] : parse(tail.toString('utf8')), tail]);
    }
    const logins = new Set<string>();
    const groups = new Set<string>();
    for (const [name, lines] of parsed)
      for (const { entry } of lines) {
        if (entry === null) continue;
        if (name === 'passwd' || name === 'shadow') logins.add((entry as PasswdEntry | ShadowEntry).login);
        else groups.add((entry as GroupEntry | GshadowEntry | GroupDescription).name);
      }
    const before = getEntriesBefore(this, logins, groups);
    for (const [name, lines, tail] of parsed) (this[name] as DatabaseFile<unknown>).appendLines(lines, tail);
    // Built again when next needed, as after any other outside change.
    forgetIdIndex(this);
    forgetHomeIndex(this);
    return { logins, groups, before };
  }

  // An independent copy (a dry run changes one and throws it away).
  clone(): AccountDatabase {
    return new AccountDatabase(
      this.passwd.clone(),
      this.shadow.clone(),
      this.group.clone(),
      this.gshadow.clone(),
      this.descriptions.clone(),
    );
  }

  // Starts a transaction on all four files.
  begin(): void {
    for (const name of databaseNames) this[name].begin();
  }

  // Keeps the transaction's changes, and hands over what it changed (the events are told
  // from it; the files keep none of it).
  commit(): CommittedChanges {
    const passwd = this.passwd.commit();
    const shadow = this.shadow.commit();
    const group = this.group.commit();
    const gshadow = this.gshadow.commit();
    const descriptions = this.descriptions.commit();
    const view = <T>(file: DatabaseFile<T>, changes: FileChanges<T>) => ({
      get: (name: string) =>
        changes.before.has(name) ? changes.before.get(name) : changes.names.has(name) ? undefined : file.get(name),
    });
    return {
      logins: new Set([...passwd.names, ...shadow.names]),
      groups: new Set([...group.names, ...gshadow.names, ...descriptions.names]),
      before: {
        passwd: view(this.passwd, passwd),
        shadow: view(this.shadow, shadow),
        group: view(this.group, group),
        gshadow: view(this.gshadow, gshadow),
        descriptions: view(this.descriptions, descriptions),
      },
    };
  }

  // Undoes the transaction's changes (and forgets the id index, rebuilt when next needed).
  rollback(): void {
    for (const name of databaseNames) this[name].rollback();
    forgetIdIndex(this);
    forgetHomeIndex(this);
  }

  // Whether the transaction open changed a file.
  isChanged(name: DatabaseName): boolean {
    return this[name].changedNames.size > 0;
  }

  // The text of one file.
  render(name: DatabaseName): string {
    return this[name].render();
  }

  // The bytes of one file, in pieces to write in order (DatabaseFile.renderBytes).
  renderBytes(name: DatabaseName): readonly Buffer[] {
    return this[name].renderBytes();
  }
}

// What a transaction changed (AppendedNames for an outside append): the logins and groups
// it set or deleted, and a reader of their entries before it (diffNames compares them).
export type CommittedChanges = AppendedNames;

// What an outside append added: the logins and groups named on its lines, and a reader of
// their entries before it (diffNames compares them).
export interface AppendedNames {
  logins: Set<string>;
  groups: Set<string>;
  before: DatabaseReader;
}

// The entries of some names as they are now, frozen in maps (the files change in place next).
function getEntriesBefore(db: AccountDatabase, logins: Set<string>, groups: Set<string>): DatabaseReader {
  const keep = <T>(file: { get(name: string): T | undefined }, names: Set<string>) => {
    const entries = new Map<string, T | undefined>();
    for (const name of names) entries.set(name, file.get(name));
    return { get: (name: string) => entries.get(name) };
  };
  return {
    passwd: keep(db.passwd, logins),
    shadow: keep(db.shadow, logins),
    group: keep(db.group, groups),
    gshadow: keep(db.gshadow, groups),
    descriptions: keep(db.descriptions, groups),
  };
}

// Builds each database file from its text.
// (`bytes`: the text's bytes as read, kept for the next write.)
export const parseDatabaseFile = {
  passwd: (text: string, bytes?: Buffer) =>
    new DatabaseFile<PasswdEntry>(parsePasswd(text), (entry) => entry.login, formatPasswd, bytes),
  // (`sameLogin`: parseShadow's.) The files' functions are made here, never where the bytes
  // are read: a closure made there would keep the first bytes read for as long as the file
  // lives (10 MiB at 100,000 accounts once the kept bytes had been joined again).
  shadow: (text: string, bytes?: Buffer, sameLogin?: (login: string) => string | undefined) =>
    new DatabaseFile<ShadowEntry>(parseShadow(text, sameLogin), (entry) => entry.login, formatShadow, bytes),
  group: (text: string, bytes?: Buffer) =>
    new DatabaseFile<GroupEntry>(parseGroup(text), (entry) => entry.name, formatGroup, bytes),
  gshadow: (text: string, bytes?: Buffer) =>
    new DatabaseFile<GshadowEntry>(parseGshadow(text), (entry) => entry.name, formatGshadow, bytes),
  descriptions: (text: string, bytes?: Buffer) =>
    new DatabaseFile<GroupDescription>(
      parseGroupDescriptions(text),
      (entry) => entry.name,
      formatGroupDescription,
      bytes,
    ),
};

// Each file's line parser (a re-read parses only the lines it does not know).
const parseLines = {
  passwd: parsePasswd,
  shadow: parseShadow,
  group: parseGroup,
  gshadow: parseGshadow,
  descriptions: parseGroupDescriptions,
};

// The tag of a file now; "missing" when it does not exist (a state, not an error).
export async function getFileTag(path: string): Promise<FileTag> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.ino}:${info.size}:${info.mtimeNs}`;
  } catch {
    return 'missing';
  }
}

// Reads one database file under `etcDir`; a missing shadow, gshadow or descriptions file
// reads as empty.
export async function readDatabaseBytes(etcDir: string, name: DatabaseName): Promise<Buffer> {
  try {
    return await readFile(join(etcDir, databasePaths[name]));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && name !== 'passwd' && name !== 'group')
      return Buffer.alloc(0);
    throw error;
  }
}
