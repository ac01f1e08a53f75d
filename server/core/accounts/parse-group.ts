import { parseDatabaseLines, parseOptionalNumber, type DatabaseLine } from './database-lines.ts';

// One group as /etc/group describes it.
export interface GroupEntry {
  name: string;
  password: string;
  gid: number;
  members: string[];
}

// Parses the text of a group file, keeping every line.
export function parseGroup(text: string): DatabaseLine<GroupEntry>[] {
  return parseDatabaseLines(text, 4, ([name, password, gid, members]) => {
    const gidNumber = parseOptionalNumber(gid!);
    if (name === '' || gidNumber === null) return null;
    return { name: name!, password: password!, gid: gidNumber, members: members === '' ? [] : members!.split(',') };
  });
}

// Writes a group back as a line.
export function formatGroup(entry: GroupEntry): string {
  return [entry.name, entry.password, entry.gid, entry.members.join(',')].join(':');
}
