import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// Issue 12, item 1: unlocking an account that has no password would leave an empty hash,
// which PAM's `nullok` lets anyone log in with. The core refuses it on every path (as
// `usermod -U` does), naming the field, and writes nothing.
let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
  await s.service.createAccount({ login: 'nopass', password: null, createHome: false });
  await s.service.createAccount({ login: 'withpass', password: 'With-pass-123', createHome: false });
});
afterAll(() => s.remove());

const shadowLine = async (login: string) =>
  (await readFile(join(s.root, 'etc/shadow'), 'utf8')).split('\n').find((line) => line.startsWith(`${login}:`));
const refusal = {
  name: 'CoreError',
  code: 'invalid-argument',
  field: 'locked',
  message: 'Unlocking would leave "nopass" with an empty password; set a password first',
};

describe('unlocking an account without a password', () => {
  it('is refused by setLocked, modifyAccount and a bulk modify, with no byte written', async () => {
    expect(await shadowLine('nopass')).toMatch(/^nopass:!:/);
    const before = await s.digestEtc();
    await expect(s.service.setLocked('nopass', false)).rejects.toMatchObject(refusal);
    await expect(s.service.modifyAccount('nopass', { locked: false, fullName: 'Changed' })).rejects.toMatchObject(
      refusal,
    );
    await expect(
      s.service.modifyAccounts([
        { login: 'withpass', locked: true },
        { login: 'nopass', locked: false },
      ]),
    ).rejects.toMatchObject({ field: expect.stringMatching(/locked$/) });
    expect(await s.digestEtc()).toBe(before);
    expect(s.service.getAccount('nopass')).toMatchObject({ locked: true, fullName: '' });
  });

  it('is refused too when the lock was doubled (`!!`, as some tools write it)', async () => {
    await run('usermod', ['--prefix', s.root, '-p', '!!', 'nopass']);
    expect(await shadowLine('nopass')).toMatch(/^nopass:!!:/);
    await expect(s.service.setLocked('nopass', false)).rejects.toMatchObject(refusal);
    expect(await shadowLine('nopass')).toMatch(/^nopass:!!:/);
  });

  it('still unlocks an account that has a password, and one given a password meanwhile', async () => {
    await s.service.setLocked('withpass', true);
    await s.service.setLocked('withpass', false);
    expect(await shadowLine('withpass')).toMatch(/^withpass:\$y\$/);
    await s.service.setPassword('nopass', 'Now-a-pass-42');
    await s.service.setLocked('nopass', false);
    expect(await shadowLine('nopass')).toMatch(/^nopass:\$y\$/);
  });
});
