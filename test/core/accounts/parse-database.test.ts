import { describe, expect, it } from 'vitest';
import { getFullName, parsePasswd } from '../../../server/core/accounts/parse-passwd.ts';
import { parseShadow } from '../../../server/core/accounts/parse-shadow.ts';
import { parseGroup } from '../../../server/core/accounts/parse-group.ts';

describe('account database parsers', () => {
  it('parse passwd entries and keep odd lines verbatim', () => {
    const text =
      'root:x:0:0:root:/root:/bin/bash\n\n+@netgroup::::::\nbroken:line\n' +
      'alice:x:1000:100:Alice Doe,,,:/home/alice:/bin/zsh\n';
    const lines = parsePasswd(text);
    expect(lines.map((line) => line.text).join('\n') + '\n').toBe(text);
    expect(lines.map((line) => line.entry?.login ?? null)).toEqual(['root', null, null, null, 'alice']);
    expect(lines[4]!.entry).toEqual({
      login: 'alice',
      password: 'x',
      uid: 1000,
      gid: 100,
      gecos: 'Alice Doe,,,',
      home: '/home/alice',
      shell: '/bin/zsh',
    });
    expect(getFullName(lines[4]!.entry!)).toBe('Alice Doe');
  });

  it('refuse entries whose ids are not numbers', () => {
    expect(parsePasswd('bob:x:abc:100::/home/bob:/bin/sh\n')[0]!.entry).toBeNull();
  });

  it('parse shadow ageing fields, empty ones as null', () => {
    const [line] = parseShadow('alice:$y$j9T$salt$hash:19000:0:99999:7::20000:\n');
    expect(line!.entry).toMatchObject({
      login: 'alice',
      lastChange: 19000,
      minDays: 0,
      maxDays: 99999,
      warnDays: 7,
      inactiveDays: null,
      expireDate: 20000,
    });
  });

  it('parse group members', () => {
    const lines = parseGroup('users:x:100:\nadmins:x:300:alice,bob\n');
    expect(lines[0]!.entry!.members).toEqual([]);
    expect(lines[1]!.entry).toEqual({ name: 'admins', password: 'x', gid: 300, members: ['alice', 'bob'] });
  });
});
