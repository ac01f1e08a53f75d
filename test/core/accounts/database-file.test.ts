import { describe, expect, it } from 'vitest';
import { AccountDatabase, parseDatabaseFile } from '../../../server/core/accounts/account-database.ts';
import { parseLoginDefs, parseShells } from '../../../server/core/accounts/parse-login-defs.ts';
import { parsePasswd } from '../../../server/core/accounts/parse-passwd.ts';

const passwd =
  'root:x:0:0:root:/root:/bin/bash\n\n# a comment someone left\n' +
  'alice:x:1000:100:Alice,Room 1,,:/home/alice:/bin/zsh\nbroken:line\n+@nis::::::\n-bob::::::\n';
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

  it('splices the bytes it last wrote: each render equals a render of every line, through rollbacks', () => {
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
  it('takes in appended lines in place, then splices its next write over them', () => {
    const line = (i: number) => `user${i}:x:${1000 + i}:100:Üser ${i}:/home/user${i}:/bin/sh\n`;
    const text = Array.from({ length: 50 }, (_, i) => line(i)).join('');
    const file = parseDatabaseFile.passwd(text, Buffer.from(text));
    // A change written back to the same bytes: the file now knows where each line starts.
    file.begin();
    file.set({ ...file.get('user0')! });
    file.commit();
    expect(Buffer.concat(file.renderBytes()).toString()).toBe(text);
    expect(Buffer.concat(file.getKeptBytes()!).toString()).toBe(text);
    // A tail with a new entry, a comment, a duplicate of a known name and invalid UTF-8.
    const tail = Buffer.concat([
      Buffer.from(`${line(50)}# added by hand\nuser2:x:9:9:dup:/:/bin/sh\n`),
      Buffer.from([0x62, 0x61, 0x64, 0xff, 0x3a, 0x78, 0x3a, 0x37, 0x3a, 0x37, 0x3a, 0x3a, 0x2f, 0x3a, 0x2f, 0x62, 10]),
    ]);
    const bytes = Buffer.concat([Buffer.from(text), tail]);
    file.appendLines(parsePasswd(tail.toString('utf8')), tail);
    const fresh = parseDatabaseFile.passwd(bytes.toString('utf8'));
    expect([...file.entries()]).toEqual([...fresh.entries()]);
    // forEachEntry visits the same entries in the same order (user2's duplicate is not one of them).
    const visited: unknown[] = [];
    file.forEachEntry((entry) => visited.push(entry));
    expect(visited).toEqual([...file.entries()]);
    expect(visited).toHaveLength(52);
    expect(file.get('user2')!.uid).toBe(1002);
    expect(file.get('user50')!.gecos).toBe('Üser 50');
    expect(Buffer.concat(file.getKeptBytes()!).equals(bytes)).toBe(true);
    expect(Buffer.concat(file.renderBytes()).equals(bytes)).toBe(true);
    // A change after it splices the bytes taken in: the lines replaced, every other byte kept.
    file.begin();
    file.set({ ...file.get('user50')!, shell: '/bin/zsh' });
    file.set({ ...file.get('user1')!, shell: '/bin/zsh' });
    file.commit();
    const expected = Buffer.from(
      bytes
        .toString('latin1')
        .replace('/home/user50:/bin/sh', '/home/user50:/bin/zsh')
        .replace('/home/user1:/bin/sh', '/home/user1:/bin/zsh'),
      'latin1',
    );
    expect(Buffer.concat(file.renderBytes()).equals(expected)).toBe(true);
  });

  it('joins appended pieces past 32 without copying the bytes first read', () => {
    const line = (i: number) => `user${i}:x:${1000 + i}:100::/home/user${i}:/bin/sh\n`;
    const first = Buffer.from(Array.from({ length: 100 }, (_, i) => line(i)).join(''));
    const file = parseDatabaseFile.passwd(first.toString(), first);
    let bytes = first;
    for (let i = 100; i < 140; i += 1) {
      const tail = Buffer.from(line(i));
      file.appendLines(parsePasswd(tail.toString()), tail);
      bytes = Buffer.concat([bytes, tail]);
      const kept = file.getKeptBytes()!;
      expect(kept.length).toBeLessThanOrEqual(32);
      expect(kept[0]).toBe(first);
      expect(Buffer.concat(kept).equals(bytes)).toBe(true);
    }
    expect(file.get('user139')!.uid).toBe(1139);
    file.begin();
    file.set({ ...file.get('user120')!, shell: '/bin/zsh' });
    file.commit();
    const expected = bytes.toString().replace('/home/user120:/bin/sh', '/home/user120:/bin/zsh');
    expect(Buffer.concat(file.renderBytes()).toString()).toBe(expected);
  });

  it('keeps no old file alive behind a small first piece when it joins appended pieces', () => {
    const line = (i: number) => `user${i}:x:${1000 + i}:100::/home/user${i}:/bin/sh\n`;
    const first = Buffer.from(Array.from({ length: 5000 }, (_, i) => line(i)).join(''));
    const file = parseDatabaseFile.passwd(first.toString(), first);
    // A change near the top: the bytes kept are a few of the first read's, the change, the rest.
    file.begin();
    file.set({ ...file.get('user3')!, shell: '/bin/zsh' });
    file.commit();
    file.renderBytes();
    for (let i = 5000; i < 5040; i += 1) {
      const tail = Buffer.from(line(i));
      file.appendLines(parsePasswd(tail.toString()), tail);
    }
    const kept = file.getKeptBytes()!;
    const size = kept.reduce((sum, piece) => sum + piece.length, 0);
    // The memory behind the pieces: about the file's size, not the first read's bytes as well.
    const held = [...new Set(kept.map((piece) => piece.buffer))].reduce((sum, buffer) => sum + buffer.byteLength, 0);
    expect(held).toBeLessThan(size * 1.5);
    expect(Buffer.concat(kept).toString()).toBe(Buffer.concat(file.renderBytes()).toString());
  });

  it('keeps no bytes to append to while its lines differ from them', () => {
    const text = 'root:x:0:0:root:/root:/bin/bash\n';
    const file = parseDatabaseFile.passwd(text, Buffer.from(text));
    file.set({ login: 'new', password: 'x', uid: 5, gid: 5, gecos: '', home: '/', shell: '/bin/sh' });
    expect(file.getKeptBytes()).toBeNull();
    // Once rendered (written), the bytes match the lines again.
    const written = Buffer.concat(file.renderBytes());
    expect(Buffer.concat(file.getKeptBytes()!).equals(written)).toBe(true);
    file.begin();
    expect(file.getKeptBytes()).toBeNull();
    file.rollback();
    // Read without its bytes (no final newline): none either.
    expect(
      parseDatabaseFile.passwd('root:x:0:0::/:/bin/sh', Buffer.from('root:x:0:0::/:/bin/sh')).getKeptBytes(),
    ).toBeNull();
  });

  it('hands over what a transaction changed at its commit and keeps none of it', () => {
    const db = AccountDatabase.parse(passwd, shadow, group, gshadow);
    const alice = db.passwd.get('alice')!;
    const carol = {
      login: 'carol',
      password: 'x',
      uid: 1001,
      gid: 100,
      gecos: '',
      home: '/home/carol',
      shell: '/bin/sh',
    };
    db.begin();
    db.passwd.set({ ...alice, shell: '/bin/sh' });
    db.passwd.set(carol);
    db.group.delete('users');
    // Inside the transaction: the names changed and their entries before it.
    expect([...db.passwd.changedNames]).toEqual(['alice', 'carol']);
    expect(db.passwd.getBefore('alice')).toBe(alice);
    expect(db.passwd.getBefore('carol')).toBeUndefined();
    expect(db.isChanged('group')).toBe(true);
    expect(db.isChanged('shadow')).toBe(false);
    const { logins, groups, before } = db.commit();
    expect([...logins]).toEqual(['alice', 'carol']);
    expect([...groups]).toEqual(['users']);
    expect(before.passwd.get('alice')).toBe(alice);
    expect(before.passwd.get('carol')).toBeUndefined();
    expect(before.group.get('users')!.members).toEqual(['alice']);
    // A name the transaction did not change reads as it is.
    expect(before.passwd.get('root')).toBe(db.passwd.get('root'));
    // The files keep nothing of it: the next reader sees the entries as they are.
    expect(db.passwd.changedNames.size).toBe(0);
    expect(db.passwd.getBefore('alice')!.shell).toBe('/bin/sh');
    expect(db.passwd.getBefore('carol')).toBe(db.passwd.get('carol'));
    // A change outside a transaction (a dry run's copy) records nothing.
    const trial = db.clone();
    trial.passwd.delete('carol');
    expect(trial.passwd.changedNames.size).toBe(0);
  });

  it('undoes any mix of appends, changes, renames and deletes, and tells each name as it was before', () => {
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    const entry = (login: string, uid: number) => ({
      login,
      password: 'x',
      uid,
      gid: 100,
      gecos: '',
      home: `/home/${login}`,
      shell: '/bin/sh',
    });
    const text = Array.from({ length: 30 }, (_, i) => `user${i}:x:${1000 + i}:100::/home/user${i}:/bin/sh\n`).join('');
    for (let round = 0; round < 60; round += 1) {
      const file = parseDatabaseFile.passwd(text, Buffer.from(text));
      const names = () => [...file.entries()].map((known) => known.login);
      const before = new Map([...file.entries()].map((known) => [known.login, known]));
      file.begin();
      for (let step = 0; step < 40; step += 1) {
        const known = names();
        const pick = known[random(known.length)]!;
        const kind = random(5);
        if (kind <= 1) file.set(entry(`new${round}x${step}`, 5000 + step));
        else if (kind === 2) file.set({ ...file.get(pick)!, shell: `/bin/s${step}` });
        else if (kind === 3) file.delete(pick);
        else if (!file.has(`${pick}r`)) file.rename(pick, entry(`${pick}r`, 6000 + step));
      }
      // Every name, known before or since, reads as it was before the transaction.
      for (const name of new Set([...before.keys(), ...names()])) expect(file.getBefore(name)).toBe(before.get(name));
      if (round % 2 === 0) {
        file.rollback();
        expect(file.render()).toBe(text);
        expect(names()).toEqual([...before.keys()]);
        for (const [name, known] of before) expect(file.get(name)).toBe(known);
      } else {
        const after = file.render();
        const { names: changed, before: previous } = file.commit();
        for (const name of changed) expect(previous.get(name)).toBe(before.get(name));
        expect(file.render()).toBe(after);
        expect(parseDatabaseFile.passwd(after).size).toBe(file.size);
      }
    }
  });
});
