import { describe, expect, it } from 'vitest';
import { getGroupDeletionRefusal, getGroupRefusals } from '../../../server/core/accounts/group-protection.ts';

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
});
