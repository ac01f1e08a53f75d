import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import type { Requester } from '../../../server/core/accounts/membership-rules.ts';

// Licorn's rules on a CSV import by a member of licorn-wmi (not of admins): each row is
// judged by the groups the account would hold, read without adding it to each group's
// member list row after row (account-import.ts).
let s: AccountsSandbox;
const wmi: Requester = { login: 'wmi1', adminGroups: ['admins', 'licorn-wmi'] };
const admin: Requester = { login: 'adurand', adminGroups: ['admins', 'licorn-wmi'] };
const membersOf = async (name: string): Promise<string[]> => {
  const line = (await readFile(join(s.root, 'etc/group'), 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`));
  return line!.split(':')[3]!.split(',').filter(Boolean);
};
beforeAll(async () => {
  s = await createAccountsSandbox();
  await s.service.createAccount({ login: 'wmi1', password: null, createHome: false, groups: ['licorn-wmi'] });
});
afterAll(() => s.remove());

describe('a non-admin CSV import', () => {
  it('imports 300 rows into a standard group, each row checked, every one a member once', async () => {
    const before = await membersOf('developers');
    const rows = Array.from({ length: 300 }, (_, i) => `nad${i},Row ${i},developers`);
    const csv = ['login,fullName,groups', ...rows].join('\n');
    expect((await s.service.importCsv(csv, { dryRun: true, by: wmi })).problems).toEqual([]);
    const done = await s.service.importCsv(csv, { createHomes: false, by: wmi });
    expect(done.created).toHaveLength(300);
    const after = await membersOf('developers');
    expect(after).toEqual([...before, ...rows.map((row) => row.split(',')[0])]);
    expect(s.service.getAccount('nad299')!.groups).toEqual(['developers']);
  });

  it('refuses each row put into a privileged group, or into a group whose file already lists it', async () => {
    // A member left in adm by a hand edit (no such account yet): the account would hold adm.
    const group = await readFile(join(s.root, 'etc/group'), 'utf8');
    await writeFile(join(s.root, 'etc/group'), group.replace(/^adm:x:4:(.*)$/m, 'adm:x:4:$1,ghost'));
    await s.waitForEvent(
      (event) => event.name === 'group-members-changed' && (event.data as { name: string }).name === 'adm',
      'the hand edit of adm',
    );
    const csv = 'login,groups\nfine1,developers\nghost,\nsudoer,sudo\nfine2,\n';
    const dry = await s.service.importCsv(csv, { dryRun: true, by: wmi });
    expect(dry.problems.map(({ row, field }) => [row, field])).toEqual([
      [2, 'groups'],
      [3, 'groups'],
    ]);
    expect(dry.problems[0]!.message).toContain('into "adm"');
    expect(dry.problems[1]!.message).toContain('into "sudo"');
    // An admin may do both.
    expect((await s.service.importCsv(csv, { dryRun: true, by: admin })).problems).toEqual([]);
    const before = await s.digestEtc();
    await expect(s.service.importCsv(csv, { createHomes: false, by: wmi })).rejects.toMatchObject({ field: 'csv' });
    expect(await s.digestEtc()).toBe(before);
  });
});

// Rows without passwords are tried in the import's transaction at once, and checked one by one
// only when it refuses them (account-import.ts): the answers are those of the checks first.
describe('an import tried at once', () => {
  it('checks nothing apart when every row passes; refused, it says which rows, having changed nothing', async () => {
    const phases: string[] = [];
    const onProgress = ({ phase }: { phase: string }) => phases.push(phase);
    const done = await s.service.importCsv('login\nonce1\nonce2\n', { createHomes: false, onProgress });
    expect(done).toEqual({ problems: [], created: ['once1', 'once2'] });
    expect(phases).not.toContain('checking');
    phases.length = 0;
    const before = await s.digestEtc();
    const csv = 'login,shell\nonce3,\nonce1,\nonce4,/bin/nope\n';
    await expect(s.service.importCsv(csv, { createHomes: false, onProgress })).rejects.toMatchObject({
      field: 'csv',
      message: '2 of 3 rows have problems; nothing was imported (see the dry run)',
    });
    expect(await s.digestEtc()).toBe(before);
    expect(phases).toContain('checking');
    const skipped = await s.service.importCsv(csv, { createHomes: false, skipInvalid: true });
    expect(skipped.created).toEqual(['once3']);
    expect(skipped.problems.map(({ row, field }) => [row, field])).toEqual([
      [2, 'login'],
      [3, 'shell'],
    ]);
  });

  it("says the transaction's own refusal when no row has a problem on its own", async () => {
    // A directory of another UID where the home would be: only the import itself sees it.
    await mkdir(join(s.root, 'home/adopted'));
    await chown(join(s.root, 'home/adopted'), 4242, 4242);
    const csv = 'login\nadopted\n';
    expect((await s.service.importCsv(csv, { dryRun: true, createHomes: false })).problems).toEqual([]);
    const before = await s.digestEtc();
    await expect(s.service.importCsv(csv, { createHomes: false })).rejects.toMatchObject({
      code: 'conflict',
      field: 'accounts.0.home',
      message: expect.stringContaining('belongs to UID 4242'),
    });
    expect(await s.digestEtc()).toBe(before);
  });

  it('finds a directory of another UID wherever its parent is, naming its row', async () => {
    await mkdir(join(s.root, 'home/team/nested'), { recursive: true });
    await chown(join(s.root, 'home/team/nested'), 4343, 4343);
    const csv = 'login,home\nfreshone,\nnested,/home/team/nested\nfreshtwo,/home/team/freshtwo\n';
    const before = await s.digestEtc();
    await expect(s.service.importCsv(csv, { createHomes: false })).rejects.toMatchObject({
      code: 'conflict',
      field: 'accounts.1.home',
      message: expect.stringContaining('belongs to UID 4343'),
    });
    expect(await s.digestEtc()).toBe(before);
  });

  it('finds it among a hundred rows too (their parent listed once rather than each home looked at)', async () => {
    await mkdir(join(s.root, 'home/crowd70'));
    await chown(join(s.root, 'home/crowd70'), 4444, 4444);
    const logins = Array.from({ length: 100 }, (_, row) => `crowd${row}`);
    const before = await s.digestEtc();
    await expect(s.service.importCsv(`login\n${logins.join('\n')}\n`, { createHomes: false })).rejects.toMatchObject({
      code: 'conflict',
      field: 'accounts.70.home',
      message: expect.stringContaining('belongs to UID 4444'),
    });
    expect(await s.digestEtc()).toBe(before);
  });
});
