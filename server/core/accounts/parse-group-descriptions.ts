import { parseDatabaseLines, type DatabaseLine } from './database-lines.ts';

// A group's description, which /etc/group has no field for: Licorn keeps them in
// etc/licorn/group-descriptions, one `name:description` line each.
export interface GroupDescription {
  name: string;
  description: string;
}

// Parses the descriptions file, keeping every line.
export function parseGroupDescriptions(text: string): DatabaseLine<GroupDescription>[] {
  return parseDatabaseLines(text, 2, ([name, description]) => (name ? { name, description: description! } : null));
}

// Writes a description back as a line.
export function formatGroupDescription(entry: GroupDescription): string {
  return `${entry.name}:${entry.description}`;
}
