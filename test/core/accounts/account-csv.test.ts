import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { parseAccountsCsv } from '../../../server/core/accounts/account-csv.ts';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
});
afterAll(() => s.remove());

describe('accounts CSV', () => {
  it('exports every account with a header and its groups as roles, and reads back its own export', () => {
    const csv = s.service.exportCsv();
    expect(csv.split('\n')[0]).toBe('login,fullName,uid,primaryGroup,groups,home,shell,locked');
    // A role as group=role, a member or a group without roles by its name; never rsp- or gst-.
    expect(csv).toContain('adurand,Amélie Durand,1001,users,admins direction=responsible,/home/adurand,/bin/bash,no');
    expect(csv).not.toMatch(/\b(rsp|gst)-/);
    expect(csv).not.toMatch(/\$y\$/);
    const rows = parseAccountsCsv(csv);
    expect(rows.find((row) => row.login === 'adurand')).toEqual({
      row: expect.any(Number),
      login: 'adurand',
      fullName: 'Amélie Durand',
      uid: 1001,
      primaryGroup: 'users',
      groups: ['admins'],
      roles: { direction: 'responsible' },
      home: '/home/adurand',
      shell: '/bin/bash',
    });
    // An older export's helper group is read as it was written (the core reads it as the role).
    expect(parseAccountsCsv('login,groups\nold,"rsp-direction, support;marketing=guest"\n')[0]).toMatchObject({
      groups: ['rsp-direction', 'support'],
      roles: { marketing: 'guest' },
    });
  });

  it('imports its own export back as it was: the same groups, roles and helper groups in the files', async () => {
    const exported = s.service.exportCsv();
    const line = exported.split('\n').find((row) => row.startsWith('adurand,'))!;
    const before = s.service.getAccount('adurand')!;
    await s.service.deleteAccount('adurand', 'keep');
    const csv = `${exported.split('\n')[0]}\n${line.replace(',/home/adurand,', ',/home/adurand2,')}\n`;
    expect((await s.service.importCsv(csv, { createHomes: false })).created).toEqual(['adurand']);
    const after = s.service.getAccount('adurand')!;
    expect(after.memberships).toEqual(before.memberships);
    expect([...after.groups].sort()).toEqual([...before.groups].sort());
  });

  it("reports a role that is not one, or a group that is not there, as the row's problem", async () => {
    const before = await s.digestEtc();
    const csv = 'login,groups\nrolea,developers=boss\nroleb,__proto__=guest\nrolec,admins=guest\n';
    const report = await s.service.importCsv(csv, { dryRun: true });
    expect(report.problems).toMatchObject([
      { row: 1, field: 'role', message: 'Invalid role "boss": one of none, guest, member, responsible' },
      { row: 2, field: 'group', message: 'No group named "__proto__"' },
      { row: 3, field: 'group', message: expect.stringContaining('"admins" has no responsibles and guests') },
    ]);
    expect(await s.digestEtc()).toBe(before);
  });

  it('refuses a header that names a field twice, saying which columns', () => {
    expect(() => parseAccountsCsv('login,login\nalice,mallory\n')).toThrow(
      expect.objectContaining({ field: 'csv', message: 'The CSV header names the field "login" twice ("login")' }),
    );
    expect(() => parseAccountsCsv('Nom,fullName\nA,B\n', { Nom: 'fullName' })).toThrow(
      expect.objectContaining({ message: 'The CSV header names the field "fullName" by "Nom" and "fullName"' }),
    );
    // A column mapped to "ignore" may repeat a field's name.
    expect(parseAccountsCsv('login,Login\nalice,x\n', { Login: 'ignore' })).toEqual([{ row: 1, login: 'alice' }]);
  });

  it('reads each column by its header wherever it stands, rows numbered after the header', () => {
    const csv = '\n Remarks ,shell,login,uid,locked\n\nhello, /bin/sh ,alice,2001,yes\n,,bob,12x,\n';
    expect(parseAccountsCsv(csv)).toEqual([
      { row: 1, shell: '/bin/sh', login: 'alice', uid: 2001 },
      { row: 2, login: 'bob', uid: Number.NaN },
    ]);
    // A header alone, or nothing, is no row; a row shorter than the header is malformed.
    expect(parseAccountsCsv('login,fullName\n')).toEqual([]);
    expect(parseAccountsCsv('')).toEqual([]);
    expect(() => parseAccountsCsv('login,fullName\nalice\n')).toThrow(
      expect.objectContaining({ field: 'csv', message: expect.stringMatching(/^Malformed CSV/) }),
    );
  });

  it("dry-runs an import, reporting every row's problem, writing nothing", async () => {
    const before = await s.digestEtc();
    const csv = [
      'Identifiant,Nom complet,Groupes,Coquille',
      'jdoe,John Doe,developers,/bin/bash',
      'Bad Login,Someone,,/bin/bash',
      'jdoe,Duplicate,,/bin/bash',
      'ok2,Bad:Name,,/bin/bash',
      'ok3,Fine,nope,/bin/bash',
      'ok4,Fine,,/bin/nope',
      'ok5,Fine Too,support,/bin/sh',
    ].join('\n');
    const mapping = { Identifiant: 'login', 'Nom complet': 'fullName', Groupes: 'groups', Coquille: 'shell' } as const;
    const report = await s.service.importCsv(csv, { mapping, dryRun: true });
    expect(report.problems.map(({ row, field }) => [row, field])).toEqual([
      [2, 'login'],
      [3, 'login'],
      [4, 'fullName'],
      [5, 'groups'],
      [6, 'shell'],
    ]);
    expect(report.problems[1]!.message).toBe('User account "jdoe" already exists');
    expect(await s.digestEtc()).toBe(before);

    await expect(s.service.importCsv(csv, { mapping })).rejects.toMatchObject({
      field: 'csv',
      message: expect.stringContaining('5 of 7 rows have problems'),
    });
    expect(await s.digestEtc()).toBe(before);

    const done = await s.service.importCsv(csv, { mapping, skipInvalid: true, createHomes: false });
    expect(done.created).toEqual(['jdoe', 'ok5']);
    expect(s.service.getAccount('ok5')).toMatchObject({
      fullName: 'Fine Too',
      shell: '/bin/sh',
      groups: ['support'],
      locked: true,
    });
  });

  it('reports in the dry run a home that is already there', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(s.root, 'home/leftover'));
    const csv = 'login,fullName\nleftover,Left Over\nfresh,Fresh One\n';
    const report = await s.service.importCsv(csv, { dryRun: true });
    expect(report.problems).toEqual([
      {
        row: 1,
        field: 'home',
        message: expect.stringContaining('"/home/leftover" already exists'),
        messageKey: 'homes.exists',
        messageParams: { home: { quoted: '/home/leftover' } },
      },
    ]);
    // Without homes, the same rows are fine.
    expect((await s.service.importCsv(csv, { dryRun: true, createHomes: false })).problems).toEqual([]);
  });

  it('refuses malformed CSV naming the problem', async () => {
    await expect(s.service.importCsv('login,fullName\n"unterminated,x\n')).rejects.toMatchObject({
      field: 'csv',
      message: expect.stringMatching(/^Malformed CSV/),
    });
    await expect(s.service.importCsv('a,b\n1,2\n', { mapping: { a: 'nope' as never } })).rejects.toMatchObject({
      field: 'mapping',
    });
  });

  it('skips a column mapped to "ignore", even one named like a field', async () => {
    const csv = 'login,shell,password\nignoring1,/bin/nope,short\n';
    expect((await s.service.importCsv(csv, { dryRun: true })).problems.map((problem) => problem.field)).toEqual([
      'password',
    ]);
    expect(
      (await s.service.importCsv(csv, { dryRun: true, mapping: { shell: 'ignore', password: 'ignore' } })).problems,
    ).toEqual([]);
  });
});
