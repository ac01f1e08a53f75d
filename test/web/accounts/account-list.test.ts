import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountList,
  accountSortKeys,
  getSearchText,
  type AccountQuery,
  type AccountSortKey,
} from '../../../server/web/accounts/account-list.ts';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// The accounts page's list is patched account by account as the files change (an outside
// useradd must not cost a rebuild of 100,000 views): what it answers must be what a list
// built afresh answers, for every column, order and filter.
const run = promisify(execFile);
let s: AccountsSandbox;
let list: AccountList;

beforeAll(async () => {
  s = await createAccountsSandbox();
  await s.service.createAccounts(
    Array.from({ length: 300 }, (_, i) => ({
      login: `pupil${i}`,
      fullName: `Pupil ${299 - i}`,
      groups: i % 3 === 0 ? ['developers'] : [],
      password: null,
      createHome: false,
    })),
  );
  list = new AccountList(s.service, s.bus);
});
afterAll(async () => {
  list?.close();
  await s?.remove();
});

// Every page of a query's answer, as logins.
function getAll(from: AccountList, query: Omit<AccountQuery, 'page'>): string[] {
  const first = from.query({ ...query, page: 1 });
  const logins = first.rows.map((row) => row.login);
  for (let page = 2; page <= first.pageCount; page += 1)
    logins.push(...from.query({ ...query, page }).rows.map((row) => row.login));
  return logins;
}

// Compares `list` with a fresh one on every column, both orders, with and without a filter.
function expectSameAsFresh(): void {
  const fresh = new AccountList(s.service, s.bus);
  const searchOf = new Map(s.service.listAccounts().map((account) => [account.login, getSearchText(account)]));
  try {
    // Typed letter by letter, then a second word and back: narrowed from the cached ones.
    for (const sort of accountSortKeys as readonly AccountSortKey[])
      for (const descending of [false, true])
        for (const filter of ['', 'p', 'pupil1', 'pupil12', 'pupil1 dev', 'pupil1', 'dev', 'zed', 'Zed aaron'])
          for (const withSystem of [false, true]) {
            const query = { filter, sort, descending, withSystem };
            expect(getAll(list, query), JSON.stringify(query)).toEqual(getAll(fresh, query));
            // And what a scan of every account finds (both lists narrow typed filters).
            const words = filter.toLowerCase().split(' ').filter(Boolean);
            const scanned = getAll(fresh, { ...query, filter: '' }).filter((login) =>
              words.every((word) => searchOf.get(login)!.includes(word)),
            );
            expect(getAll(list, query), JSON.stringify(query)).toEqual(scanned);
          }
  } finally {
    fresh.close();
  }
}

describe('the accounts list patched as the files change', () => {
  it('answers as a fresh list after creations, changes, group changes and deletions', async () => {
    // Every column sorted once, so that each one is patched below.
    expectSameAsFresh();
    const before = list.generation;
    await s.service.createAccount({ login: 'zed', fullName: 'Aaron Zed', password: null, createHome: false });
    await s.service.modifyAccount('pupil5', { fullName: 'Zora Last' });
    await s.service.modifyAccount('pupil7', { locked: true });
    await s.service.addMember('developers', 'pupil8');
    await s.service.removeMember('developers', 'pupil9');
    await s.service.deleteAccount('pupil10', 'keep');
    await run('useradd', ['--prefix', s.root, '-M', '-c', 'Outside Shell', 'outside']);
    await s.service.settle();
    expect(list.generation).toBeGreaterThan(before);
    expect(list.query({ filter: 'zora', sort: 'login', descending: false, withSystem: false, page: 1 }).rows).toEqual([
      expect.objectContaining({ login: 'pupil5', fullName: 'Zora Last' }),
    ]);
    expectSameAsFresh();
  });

  it('answers as a fresh list after a burst larger than it patches, and after a group change', async () => {
    await s.service.createAccounts(
      Array.from({ length: 600 }, (_, i) => ({ login: `late${i}`, password: null, createHome: false })),
    );
    expectSameAsFresh();
    await s.service.createGroup({ name: 'choir' });
    await s.service.modifyAccount('late3', { primaryGroup: 'choir' });
    expectSameAsFresh();
  });
});
