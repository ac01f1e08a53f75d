import type { Locale } from '../../../common/i18n/locales.ts';
import { renderMessage, say } from '../messages.ts';
import type { Membership } from './account-schema.ts';
import type { GroupRole } from './group-schema.ts';

// The words of Licorn's roles and memberships: the one place the pages, the CLI, the audit log
// and the messages take them from (helper groups, rsp-G and gst-G, are never shown to people).
// Their texts are in the core catalogue (roles.*), in every language; English unless asked.

// Each role in words, in English.
export const roleWords: Record<Exclude<GroupRole, 'none'>, string> = {
  guest: 'guest',
  member: 'member',
  responsible: 'responsible',
};

// A membership in words: "responsible of accounting" / "responsable de accounting", "guest of
// marketing", or the group's name when it has no roles.
export function describeMembership(membership: Membership, locale: Locale = 'en'): string {
  if (membership.role === null) return membership.group;
  return renderMessage(say(`roles.of.${membership.role}`, { group: membership.group }), locale);
}

// A role given in a group, in words ("none" takes the account out of it).
export function describeRole(group: string, role: GroupRole, locale: Locale = 'en'): string {
  return renderMessage(say(role === 'none' ? 'roles.none' : `roles.of.${role}`, { group }), locale);
}
