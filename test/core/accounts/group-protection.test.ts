import { describe, expect, it } from 'vitest';
import {
  getGroupDeletionRefusal as getDeletionMessage,
  getGroupRefusals as getRefusalMessages,
} from '../../../server/core/accounts/group-protection.ts';
import { type CoreMessage, renderMessage, renderMessages } from '../../../server/core/messages.ts';

// The refusals are keyed messages: read here in English, as the API says them to English readers.
const getGroupDeletionRefusal = (...args: Parameters<typeof getDeletionMessage>) => {
  const message: CoreMessage | null = getDeletionMessage(...args);
  return message && renderMessage(message, 'en');
};
const getGroupRefusals = (...args: Parameters<typeof getRefusalMessages>) =>
  renderMessages(getRefusalMessages(...args), 'en');

// The one rule on which groups the interface deletes (API, CLI and pages ask it).
const standard = { name: 'developers', gid: 10002, system: false, helperOf: null };
const adminGroups = ['admins', 'licorn-wmi', 'sudo', 'wheel'];

describe('getGroupDeletionRefusal', () => {
  it('lets a standard group go, and nothing else, with the reason in words', () => {
    expect(getGroupDeletionRefusal(standard, adminGroups)).toBeNull();
    expect(getGroupDeletionRefusal({ ...standard, name: 'acl', system: true, gid: 999 }, adminGroups)).toBe(
      `The group "acl" is protected and cannot be deleted: it owns every group's shared directory`,
    );
    // A configured administrators' group, though Licorn does not know its name.
    expect(getGroupDeletionRefusal({ ...standard, name: 'wheel' }, adminGroups)).toBe(
      `The group "wheel" is an administrators' group and cannot be deleted: its members manage the machine`,
    );
    expect(getGroupDeletionRefusal({ ...standard, name: 'wheel' }, ['admins'])).toBeNull();
    expect(getGroupDeletionRefusal({ ...standard, name: 'old', gid: 30001 }, adminGroups)).toContain(
      'restricted group (GID 30001)',
    );
    const helperOf = { group: 'developers', role: 'guest' };
    const helper = { name: 'gst-developers', gid: 999, system: true, helperOf };
    expect(getGroupDeletionRefusal(helper as never, adminGroups)).toBe(
      'The group "gst-developers" holds the guests of the group developers: delete developers instead',
    );
    expect(getGroupDeletionRefusal({ ...standard, name: 'docker', gid: 998, system: true }, adminGroups)).toBe(
      'The group "docker" is a system group (GID 998), which packages and services rely on: it is never deleted ' +
        'through the interface (groupdel in a shell can)',
    );
  });

  it("gives the group's page the same words, and the rename's refusals", () => {
    expect(getGroupRefusals({ ...standard, name: 'docker', gid: 998, system: true }, adminGroups).delete).toContain(
      'is a system group',
    );
    expect(getGroupRefusals({ ...standard, name: 'admins', gid: 10100 }, adminGroups)).toEqual({
      delete: 'The group "admins" is protected and cannot be deleted: its members administer the machine',
      rename: `The administrators' group "admins" cannot be renamed`,
    });
    expect(getGroupRefusals(standard, adminGroups)).toEqual({ delete: null, rename: null });
  });

  it('says them in French to a French reader', () => {
    const acl = getDeletionMessage({ ...standard, name: 'acl', system: true, gid: 999 }, adminGroups);
    expect(renderMessage(acl!, 'fr')).toContain(
      'acl\u00a0» est protégé et ne peut pas être supprimé\u00a0: il possède le dossier partagé de chaque groupe',
    );
    const helperOf = { group: 'developers', role: 'responsible' } as const;
    const helper = getDeletionMessage({ name: 'rsp-developers', gid: 999, system: true, helperOf }, adminGroups);
    expect(renderMessage(helper!, 'fr')).toContain('contient les responsables du groupe developers');
  });
});
