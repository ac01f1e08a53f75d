import { parseDatabaseLines, type DatabaseLine } from './database-lines.ts';

// One group's password, administrators and members as /etc/gshadow describes them.
export interface GshadowEntry {
  name: string;
  password: string;
  admins: string[];
  members: string[];
}

const list = (field: string) => (field === '' ? [] : field.split(','));

// Parses the text of a gshadow file, keeping every line.
export function parseGshadow(text: string): DatabaseLine<GshadowEntry>[] {
  return parseDatabaseLines(text, 4, ([name, password, admins, members]) =>
    name === '' ? null : { name: name!, password: password!, admins: list(admins!), members: list(members!) },
  );
}

// Writes a group's gshadow entry back as a line.
export function formatGshadow(entry: GshadowEntry): string {
  return [entry.name, entry.password, entry.admins.join(','), entry.members.join(',')].join(':');
}
