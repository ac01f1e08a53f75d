import type { Membership } from './account-schema.ts';
import type { GroupRole } from './group-schema.ts';

// The words of Licorn's roles and memberships: the one place the pages, the CLI, the audit log
// and the messages take them from (helper groups, rsp-G and gst-G, are never shown to people).

// Each role in words.
export const roleWords: Record<Exclude<GroupRole, 'none'>, string> = {
  guest: 'guest',
  member: 'member',
  responsible: 'responsible',
};

// A membership in words: "responsible of accounting", "guest of marketing", or the group's
// name when it has no roles.
export function describeMembership(membership: Membership): string {
  return membership.role === null ? membership.group : `${roleWords[membership.role]} of ${membership.group}`;
}

// A role given in a group, in words ("none" takes the account out of it).
export function describeRole(group: string, role: GroupRole): string {
  return role === 'none' ? `no role in ${group}` : `${roleWords[role]} of ${group}`;
}
