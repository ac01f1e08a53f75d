// First: the core must load the counting addon.
import { getHashCount } from '../../helpers/hash-counter.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// A password is hashed before the transaction that writes it: a request refused for another
// field hashed it all the same, so bad requests carrying a password spent a worker thread's
// CPU each (review of the eleventh session). Every field is checked first now. The hashes are
// counted at the native addon the core calls (hash-counter.ts), each still made.
let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
});
afterAll(() => s?.remove());

const password = 'Correct-horse-9';
// How many hashes `request` made, and what it threw.
async function countHashes(request: () => Promise<unknown>): Promise<{ hashes: number; error: unknown }> {
  const before = getHashCount();
  const error = await request().then(
    () => null,
    (caught: unknown) => caught,
  );
  return { hashes: getHashCount() - before, error };
}

describe('a request carrying a password', () => {
  it('hashes it once when every field is right (the count reaches the core’s hasher)', async () => {
    const made = await countHashes(() => s.service.createAccount({ login: 'hashcount', password, createHome: false }));
    expect(made).toEqual({ hashes: 1, error: null });
    const changed = await countHashes(() => s.service.updateAccount('hashcount', { password: `${password}x` }));
    expect(changed).toEqual({ hashes: 1, error: null });
  });

  it.each([
    ['shell', { shell: '/bin/nope' }],
    ['primaryGroup', { primaryGroup: 'no-such-group' }],
    ['login', { login: 'Bad:Login' }],
    ['uid', { uid: 5 }],
    ['groups', { groups: ['no-such-group'] }],
  ])('creating an account: refused for %s, hashes nothing', async (field, fields) => {
    const input = { login: 'refusedone', password, createHome: false, ...fields };
    const { hashes: made, error } = await countHashes(() => s.service.createAccount(input));
    expect(error).toMatchObject({ field });
    expect(made).toBe(0);
    expect(s.service.getAccount('refusedone')).toBeNull();
  });

  it.each([
    ['shell', { shell: '/bin/nope' }],
    ['expiry', { expiry: -3 }],
    ['group', { roles: { 'no-such-group': 'member' as const } }],
    ['newLogin', { newLogin: 'dnguyen' }],
  ])('changing an account: refused for %s, hashes nothing', async (field, fields) => {
    const { hashes: made, error } = await countHashes(() =>
      s.service.updateAccount('hashcount', { password, ...fields }),
    );
    expect(error).toMatchObject({ field });
    expect(made).toBe(0);
  });

  it('a bulk create (the CSV import) refused on one row hashes no row', async () => {
    const rows = [
      { login: 'bulkhashone', password, createHome: false },
      { login: 'bulkhashtwo', password: null, createHome: false, shell: '/bin/nope' },
    ];
    const { hashes: made, error } = await countHashes(() => s.service.createAccounts(rows));
    expect(error).toMatchObject({ field: 'accounts.1.shell' });
    expect(made).toBe(0);
    expect(s.service.getAccount('bulkhashone')).toBeNull();
  });

  it('setting the password of an account that is not there hashes nothing', async () => {
    const { hashes: made, error } = await countHashes(() => s.service.setPassword('nobody-here', password));
    expect(error).toMatchObject({ code: 'not-found' });
    expect(made).toBe(0);
  });
});
