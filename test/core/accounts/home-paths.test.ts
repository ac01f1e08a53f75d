import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountDatabase } from '../../../server/core/accounts/account-database.ts';
import {
  checkHomePath,
  getPathProblem as getPathMessage,
  normalizeHome,
  noteHomeChange,
  parseHomeBase,
} from '../../../server/core/accounts/home-paths.ts';
import { isNormalPath } from '../../../server/core/accounts/validate-fields.ts';
import { renderMessage } from '../../../server/core/messages.ts';

const passwd = `root:x:0:0:root:/root:/bin/bash
sysd:x:998:998::/:/usr/sbin/nologin
alice:x:1000:100::/home/alice:/bin/bash
bob:x:1001:100::/home/team/bob:/bin/bash
`;
// The path's problem in English words, or null (the core keeps it as a key and parameters).
const getPathProblem = (...args: Parameters<typeof getPathMessage>) => {
  const problem = getPathMessage(...args);
  return problem && renderMessage(problem, 'en');
};
const database = () => AccountDatabase.parse(passwd, '', 'users:x:100:\n', '');

describe('the one rule for the paths a request may name', () => {
  it('reads the home base from etc/default/useradd, /home by default', () => {
    expect(parseHomeBase('# useradd defaults\nSHELL=/bin/sh\nHOME=/srv/homes\n')).toBe('/srv/homes');
    expect(parseHomeBase('HOME="/var/home"\n')).toBe('/var/home');
    for (const text of ['', 'HOME=relative\n', 'HOME=/\n', 'HOME=/a/../etc\n'])
      expect(parseHomeBase(text)).toBe('/home');
  });

  it('allows a new home under the base, clear of every other home, share, archive and system directory', () => {
    const db = database();
    expect(checkHomePath(db, 'carol', '/home/carol', '/home')).toBe('/home/carol');
    expect(checkHomePath(db, 'carol', '/home/team/carol', '/home')).toBe('/home/team/carol');
    const refusals: [string, string][] = [
      ['/etc', 'not under the home base'],
      ['/home', 'not under the home base'],
      ['/home/alice', 'the home of alice'],
      ['/home/alice/carol', 'inside the home of alice'],
      ['/home/team', 'contains the homes of other accounts'],
      ['/home/groups', 'system directory /home/groups'],
      ['/home/groups/dev', 'group shares'],
      ['/home/archives/x', 'archives'],
      ['/var/spool/news', 'not under the home base'],
      ['/home/../etc', 'normalized'],
      ['relative', 'absolute'],
    ];
    for (const [path, reason] of refusals) {
      expect(() => checkHomePath(db, 'carol', path, '/home'), path).toThrow(reason);
    }
    // "/" is sysd's home, and counts for nothing: every path is inside it.
    expect(getPathProblem(db, 'carol', '/home/carol', '/home')).toBeNull();
    // The account's own home is always fine, wherever it is.
    expect(checkHomePath(db, 'root', '/root', '/home')).toBe('/root');
    // With another base, the same rule: /var/home is allowed, /var/lib is not.
    expect(checkHomePath(db, 'carol', '/var/home/carol', '/var/home')).toBe('/var/home/carol');
    expect(getPathProblem(db, 'carol', '/var/lib/carol', '/var/home')).toContain('/var/lib');
    expect(getPathProblem(db, 'carol', '/usr/carol', '/var/home')).toContain('/usr');
  });

  it('follows the homes as operations move them (one index per database)', () => {
    const db = database();
    expect(getPathProblem(db, 'carol', '/home/dave', '/home')).toBeNull();
    noteHomeChange(db, 'dave', null, '/home/dave');
    expect(getPathProblem(db, 'carol', '/home/dave/x', '/home')).toContain('home of dave');
    noteHomeChange(db, 'dave', '/home/dave', null);
    expect(getPathProblem(db, 'carol', '/home/dave/x', '/home')).toBeNull();
  });

  it('follows a home shared by several accounts as they come and go', () => {
    const db = database();
    expect(getPathProblem(db, 'carol', '/home/shared', '/home')).toBeNull();
    noteHomeChange(db, 'dave', null, '/home/shared');
    noteHomeChange(db, 'erin', null, '/home/shared/');
    noteHomeChange(db, 'erin', null, '/home/shared');
    expect(getPathProblem(db, 'carol', '/home/shared', '/home')).toContain('home of dave, erin');
    expect(getPathProblem(db, 'dave', '/home/shared', '/home')).toContain('home of erin');
    noteHomeChange(db, 'dave', '/home/shared', null);
    // erin's own home again; anyone else's is still taken, and counted once below /home.
    expect(getPathProblem(db, 'erin', '/home/shared', '/home')).toBeNull();
    expect(getPathProblem(db, 'carol', '/home/shared/x', '/home')).toContain('home of erin');
    noteHomeChange(db, 'carol', '/home/shared', null);
    expect(getPathProblem(db, 'dave', '/home/shared', '/home')).toContain('home of erin');
    noteHomeChange(db, 'erin', '/home/shared', null);
    expect(getPathProblem(db, 'carol', '/home/shared', '/home')).toBeNull();
    expect(getPathProblem(db, 'carol', '/home', '/home')).toContain('/home');
    noteHomeChange(db, 'frank', null, '/home/shared/frank');
    expect(getPathProblem(db, 'carol', '/home/shared', '/home')).toContain('contains');
  });
});

describe('homes compared normalized (red team HIGH 5)', () => {
  it('takes /home/alice/, /home//alice and /home/./alice for /home/alice, in passwd and in a request', () => {
    for (const spelled of ['/home/alice/', '/home//alice', '/home/./alice', '/home/x/../alice']) {
      const db = AccountDatabase.parse(`${passwd}eve:x:1002:100::${spelled}:/bin/bash\n`, '', 'users:x:100:\n', '');
      expect(getPathProblem(db, 'eve', '/home/alice', '/home'), spelled).toContain('the home of alice');
      expect(getPathProblem(db, 'alice', spelled, '/home'), spelled).toContain('the home of eve');
      expect(getPathProblem(db, 'carol', `${spelled}/sub`, '/home'), spelled).toContain('inside the home of');
      expect(() => checkHomePath(db, 'carol', '/home/alice', '/home'), spelled).toThrow('the home of alice, eve');
    }
    const relative = AccountDatabase.parse(`${passwd}odd:x:1003:100::relative/:/bin/bash\n`, '', 'users:x:100:\n', '');
    expect(getPathProblem(relative, 'odd', 'relative/', '/home')).toContain('not an absolute path');
  });
});

describe("a normal path's fast path (a 10,000-row import normalizes each home several times)", () => {
  it('says a path is normal exactly when posix.normalize keeps it and it ends without a slash', () => {
    // Every absolute path of up to four parts made of these, slashes doubled by the empty one.
    const parts = ['', '.', '..', 'a', 'bb', '...', '.a', 'a.', '..b'];
    const wrong: string[] = [];
    let checked = 0;
    const check = (path: string, depth: number): void => {
      for (const part of parts) {
        const next = `${path}/${part}`;
        const normal = posix.normalize(next);
        const expected = normal === next && (next === '/' || !next.endsWith('/'));
        const home = normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
        if (isNormalPath(next) !== expected || normalizeHome(next) !== home) wrong.push(next);
        checked += 1;
        if (depth > 1) check(next, depth - 1);
      }
    };
    check('', 4);
    expect(checked).toBeGreaterThan(7_000);
    expect(wrong).toEqual([]);
    expect(isNormalPath('relative/a')).toBe(false);
  });

  it('finds the homes above and below a normal path as for any other spelling', () => {
    const db = AccountDatabase.parse(`${passwd}eve:x:1002:100::/home/team:/bin/bash\n`, '', 'users:x:100:\n', '');
    expect(getPathProblem(db, 'carol', '/home/team/bob/deep/er', '/home')).toContain('inside the home of');
    expect(getPathProblem(db, 'carol', '/home/team//bob/deep/er', '/home')).toContain('inside the home of');
  });
});
