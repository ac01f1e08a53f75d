import { describe, expect, it } from 'vitest';
import { AccountDatabase } from '../../../server/core/accounts/account-database.ts';
import { parseLoginDefs } from '../../../server/core/accounts/parse-login-defs.ts';
import { getAccountView, getGroupView, getMembershipIndex } from '../../../server/core/accounts/account-view.ts';

// The views' version tags: pages rendered before a restart send them back with an edit, so the
// tag of an unchanged account never changes with the way the view is built (account-view.ts
// adds it to the view itself since the tenth session, no longer to a spread copy).
describe('account and group views', () => {
  const db = AccountDatabase.parse(
    'a:x:1000:100:A,,,:/home/a:/bin/sh\n',
    'a:!:19000:0:99999:7:::\n',
    'users:x:100:\ndev:x:1001:a\n',
    '',
    '',
  );
  const defs = parseLoginDefs('');

  it('tags each with the hash of its JSON without the tag, the tag last', () => {
    const account = getAccountView(db, defs, 'a')!;
    expect(account.version).toBe('s92wvc');
    expect(Object.keys(account).at(-1)).toBe('version');
    expect(account).toMatchObject({ login: 'a', fullName: 'A', groups: ['dev'], locked: true });
    const group = getGroupView(db, defs, 'dev')!;
    expect(group).toEqual({
      name: 'dev',
      gid: 1001,
      description: '',
      members: ['a'],
      system: false,
      version: 'pqf5rn',
    });
  });

  // 100,000 views held a copy of the same one-group lists each (8 MiB): views made with one
  // index share them, frozen, and an account's primary group stays out of its own.
  it('share one frozen pair of lists between accounts in the same groups', () => {
    const many = AccountDatabase.parse(
      'a:x:1000:100:A:/home/a:/bin/sh\nb:x:1001:100:B:/home/b:/bin/sh\nc:x:1002:1001:C:/home/c:/bin/sh\n',
      '',
      'users:x:100:\ndev:x:1001:a,b,c\n',
      '',
      '',
    );
    const index = getMembershipIndex(many);
    const [a, b, c] = ['a', 'b', 'c'].map((login) => getAccountView(many, defs, login, index)!);
    expect(a!.groups).toEqual(['dev']);
    expect(b!.groups).toBe(a!.groups);
    expect(b!.memberships).toBe(a!.memberships);
    expect(Object.isFrozen(a!.groups) && Object.isFrozen(a!.memberships[0])).toBe(true);
    expect(c!.primaryGroup).toBe('dev');
    expect(c!.groups).toEqual([]);
    expect(a!.version).toBe(getAccountView(many, defs, 'a')!.version);
  });
});
