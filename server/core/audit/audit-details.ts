import type { GroupRole } from '../accounts/group-schema.ts';
import { describeRole } from '../accounts/membership-words.ts';

// What each audited action changed, in words, for the audit log's `detail`: the one place
// these sentences are written (the Audit page shows them as they are).

// The most logins a detail names before "and N more" (a line stays readable).
const namedLogins = 10;

function nameLogins(logins: readonly string[]): string {
  const more = logins.length > namedLogins ? ` and ${logins.length - namedLogins} more` : '';
  return `${logins.slice(0, namedLogins).join(', ')}${more}`;
}

// An account made: its groups and roles, as given.
export function describeAccountCreation(input: {
  uid?: number;
  primaryGroup?: string;
  groups?: readonly string[];
  roles?: Readonly<Record<string, GroupRole>>;
}): string {
  const parts = [
    input.uid !== undefined && `UID ${input.uid}`,
    input.primaryGroup && `primary group ${input.primaryGroup}`,
    input.groups?.length && `groups ${input.groups.join(', ')}`,
    ...Object.entries(input.roles ?? {}).map(([group, role]) => describeRole(group, role)),
  ];
  return parts.filter(Boolean).join('; ');
}

// An account changed: the fields changed, and each role in words.
export function describeAccountChange(fields: readonly string[], roles?: Readonly<Record<string, GroupRole>>): string {
  const rest = fields.filter((field) => field !== 'roles');
  const described = Object.entries(roles ?? {}).map(([group, role]) => describeRole(group, role));
  return [rest.length > 0 && `changed ${rest.join(', ')}`, ...described].filter(Boolean).join('; ');
}

// An account given a role in a group (or taken out of it).
export function describeRoleChange(group: string, role: GroupRole, logins: readonly string[]): string {
  return `${nameLogins(logins)}: ${describeRole(group, role)}`;
}

// A CSV import: how many accounts it made (and which), how many rows it skipped.
export function describeImport(result: { created: readonly string[]; problems: readonly unknown[] }): string {
  const made = `${result.created.length} account${result.created.length === 1 ? '' : 's'} created`;
  const skipped = result.problems.length > 0 ? `; ${result.problems.length} rows skipped` : '';
  const names = result.created.length > 0 ? ` (${nameLogins(result.created)})` : '';
  return `${made}${names}${skipped}`;
}

// A group deleted: what became of its shared directory.
export function describeGroupRemoval(archive: string | null): string {
  return archive ? `shared directory archived to ${archive}` : '';
}

// Accounts locked, unlocked or deleted at once.
export function describeBulk(logins: readonly string[]): string {
  return `${logins.length} accounts: ${nameLogins(logins)}`;
}
