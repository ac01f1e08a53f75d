import { describe, expect, it } from 'vitest';
import { AccountDatabase } from '../../../server/core/accounts/account-database.ts';
import { parseLoginDefs } from '../../../server/core/accounts/parse-login-defs.ts';
import { getAccountView, getGroupView } from '../../../server/core/accounts/account-view.ts';

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
});
