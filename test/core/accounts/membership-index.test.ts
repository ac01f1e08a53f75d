import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AccountsStore } from '../../../server/core/accounts/accounts-store.ts';
import { AccountQueries } from '../../../server/core/accounts/account-queries.ts';
import { applyAddMember } from '../../../server/core/accounts/membership-operations.ts';
import { createAccounts } from '../../../server/core/accounts/account-transactions.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';

// Who is in which group is read from every group's member list: work that must be done once
// for many accounts, not once per account (a 10,000-row import spent seconds redoing it).
let sandbox: Sandbox;
let store: AccountsStore;
beforeAll(async () => {
  sandbox = await createSandbox();
  store = await AccountsStore.open({ root: sandbox.root, events: new EventBus() });
});
afterAll(async () => {
  await store.close();
  await sandbox.remove();
});

// How many times `run` reads every group (the membership index is built from them).
async function countGroupReads(run: () => unknown): Promise<number> {
  const reads = vi.spyOn(store.database.group, 'entries');
  try {
    await run();
    return reads.mock.calls.length;
  } finally {
    reads.mockRestore();
  }
}

const newAccounts = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    login: `${prefix}${i}`,
    groups: ['developers'],
    password: null,
    createHome: false,
  }));

describe('the membership index', () => {
  it('is built once for many accounts read, and again once the files changed', async () => {
    const queries = new AccountQueries(store);
    const logins = [...store.database.passwd.entries()].map((entry) => entry.login);
    expect(logins.length).toBeGreaterThan(30);
    // The first 16 views after a change read the groups for their account alone (a pushed
    // row), then the index is built once: 17 reads for any number of accounts, none after.
    expect(await countGroupReads(() => logins.map((login) => queries.getAccount(login)))).toBe(17);
    expect(await countGroupReads(() => logins.map((login) => queries.getAccount(login)))).toBe(0);
    expect(queries.getAccount('cmartin')!.groups).not.toContain('staff');
    await store.transact((db) => applyAddMember(db, 'staff', 'cmartin'));
    expect(queries.getAccount('cmartin')!.groups).toContain('staff');
  });

  it('is built once for the accounts a bulk create returns, whatever their number', async () => {
    // (The first create also builds the id index, from the same groups.)
    await createAccounts(store, newAccounts('warm', 1));
    const one = await countGroupReads(() => createAccounts(store, newAccounts('solo', 1)));
    const many = await countGroupReads(() => createAccounts(store, newAccounts('batch', 40)));
    expect(many).toBe(one);
    const created = await createAccounts(store, newAccounts('member', 2));
    expect(created.map(({ account }) => account.groups)).toEqual([['developers'], ['developers']]);
  });
});
