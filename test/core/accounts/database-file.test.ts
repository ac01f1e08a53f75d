import { describe, expect, it } from 'vitest';
import { AccountDatabase, parseDatabaseFile } from '../../../server/core/accounts/account-database.ts';
import { parseLoginDefs, parseShells } from '../../../server/core/accounts/parse-login-defs.ts';

const passwd =
  'root:x:0:0:root:/root:/bin/bash\n\n# a comment someone left\nalice:x:1000:100:Alice,Room 1,,:/home/alice:/bin/zsh\nbroken:line\n+@nis::::::\n-bob::::::\n';
const shadow = 'root:*:19000:0:99999:7:::\nalice:$y$j9T$a$b:19001:0:99999:7::20000:\n';
const group = 'root:x:0:\nusers:x:100:alice\n+\n';
const gshadow = 'root:*::\nusers:!:alice:alice\n';

describe('account database files', () => {
  it('write back every file byte-identical when nothing changed', () => {
    const db = AccountDatabase.parse(passwd, shadow, group, gshadow);
    expect(db.render('passwd')).toBe(passwd);
    expect(db.render('shadow')).toBe(shadow);
    expect(db.render('group')).toBe(group);
    expect(db.render('gshadow')).toBe(gshadow);
  });

  it('change one entry and leave every other line as it was', () => {
    const file = parseDatabaseFile.passwd(passwd);
    file.set({ ...file.get('alice')!, shell: '/bin/bash' });
    expect(file.render()).toBe(passwd.replace('/home/alice:/bin/zsh', '/home/alice:/bin/bash'));
  });

  it('add new entries before the NIS lines, as shadow-utils does', () => {
    const file = parseDatabaseFile.passwd(passwd);
    file.set({ login: 'carol', password: 'x', uid: 1001, gid: 100, gecos: '', home: '/home/carol', shell: '/bin/sh' });
    const lines = file.render().split('\n');
    expect(lines.indexOf('carol:x:1001:100::/home/carol:/bin/sh')).toBe(lines.indexOf('+@nis::::::') - 1);
  });

  it('delete an entry and keep a clone untouched', () => {
    const file = parseDatabaseFile.group(group);
    const copy = file.clone();
    file.delete('users');
    expect(file.render()).toBe('root:x:0:\n+\n');
    expect(copy.render()).toBe(group);
    expect(copy.get('users')!.members).toEqual(['alice']);
  });

  it('read login.defs settings with shadow-utils defaults and octal modes', () => {
    const defs = parseLoginDefs('# comment\nUID_MIN 2000\nUMASK 027\nHOME_MODE 0750\nENCRYPT_METHOD sha512\n');
    expect(defs).toMatchObject({
      uidMin: 2000,
      uidMax: 60000,
      umask: 0o27,
      homeMode: 0o750,
      encryptMethod: 'SHA512',
      sysUidMax: 1999,
    });
    expect(parseLoginDefs('').homeMode).toBe(0o755);
    expect(parseShells('# shells\n/bin/sh\n\n/usr/bin/zsh\n')).toEqual(['/bin/sh', '/usr/bin/zsh']);
  });

  it('splices the bytes it last wrote: every render equals a render of every line, through changes and rollbacks', () => {
    const text = Array.from({ length: 300 }, (_, i) => `user${i}:x:${1000 + i}:100:User ${i}:/home/user${i}:/bin/sh\n`)
      .join('')
      .replace('user7:', '# a comment\nuser7:');
    const file = parseDatabaseFile.passwd(text, Buffer.from(text));
    const whole = () => file.clone().render();
    const entry = (login: string, uid: number, shell = '/bin/bash') => ({
      login,
      password: 'x',
      uid,
      gid: 100,
      gecos: `Ünïcode ${login}`,
      home: `/home/${login}`,
      shell,
    });
    const expectSame = () => expect(Buffer.concat(file.renderBytes()).toString('utf8')).toBe(whole());
    expectSame();
    // Changes in the middle, deletions (holes), renames and appends, committed.
    file.begin();
    file.set(entry('user5', 1005));
    file.delete('user9');
    file.rename('user200', entry('renamed', 1200));
    file.set(entry('new1', 2001));
    file.commit();
    expectSame();
    // A transaction rendered, then rolled back: the bytes kept are still the file's.
    file.begin();
    file.set(entry('user6', 1006, '/bin/zsh'));
    file.delete('user10');
    file.set(entry('new2', 2002));
    file.renderBytes();
    file.rollback();
    expectSame();
    // Many changes at once (rendered whole), then appends only, then one change again.
    file.begin();
    for (let i = 20; i < 120; i += 1) file.set(entry(`user${i}`, 3000 + i));
    file.commit();
    expectSame();
    for (let i = 0; i < 40; i += 1) {
      file.begin();
      file.set(entry(`more${i}`, 4000 + i));
      if (i % 7 === 0) file.delete(`user${150 + i}`);
      if (i % 5 === 0) file.set(entry(`user${130 + i}`, 5000 + i));
      file.commit();
      expectSame();
    }
    expect(file.get('more39')?.uid).toBe(4039);
  });
});
