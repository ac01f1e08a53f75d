import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { run } from '../../helpers/accounts-sandbox.ts';
import { useAccountsStore } from '../../helpers/accounts-store-sandbox.ts';
import { AccountDatabase, databaseNames, databasePaths } from '../../../server/core/accounts/account-database.ts';
import { CoreError } from '../../../server/core/errors.ts';
import {
  applyCreateAccount,
  applyDeleteAccount,
  applyModifyAccount,
  type OperationContext,
} from '../../../server/core/accounts/account-operations.ts';
import { applyRenameAccount } from '../../../server/core/accounts/rename-account.ts';
import { applySetExpiry, applySetLocked } from '../../../server/core/accounts/shadow-operations.ts';
import { applyAddMember, applyRemoveMember } from '../../../server/core/accounts/membership-operations.ts';
import {
  applyCreateGroup,
  applyDeleteGroup,
  applyRenameGroup,
} from '../../../server/core/accounts/group-operations.ts';
import { applySetRole, groupRoles } from '../../../server/core/accounts/licorn-roles.ts';

const sandbox = useAccountsStore();

// Small pools so operations collide: the same names get created, renamed, deleted again.
const login = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `user${i}`), 'adurand', 'dnguyen', 'hpetit');
const group = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `team${i}`), 'developers', 'support');
const fullName = fc.string({ unit: fc.constantFrom(..."abcdeéèçñ ABCDÉ-'.0123456789日本".split('')), maxLength: 30 });
const shell = fc.constantFrom('/bin/bash', '/bin/sh', '/usr/bin/zsh', '/usr/sbin/nologin');

type Operation = (db: AccountDatabase, context: OperationContext) => void;
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc
    .record({ login, fullName, shell, system: fc.boolean() })
    .map((input) => (db: AccountDatabase, c: OperationContext) => {
      applyCreateAccount(db, { ...input, hash: '!' }, c);
    }),
  login.map((name) => (db: AccountDatabase) => {
    applyDeleteAccount(db, name);
  }),
  fc
    .record({ login, fullName, shell })
    .map(({ login: name, ...changes }) => (db: AccountDatabase, c: OperationContext) => {
      applyModifyAccount(db, name, changes, c);
    }),
  fc
    .record(
      {
        login,
        uid: fc.integer({ min: 1000, max: 1100 }),
        primaryGroup: group,
        groups: fc.array(group, { maxLength: 3 }),
      },
      { requiredKeys: ['login'] },
    )
    .map(({ login: name, ...changes }) => (db: AccountDatabase, c: OperationContext) => {
      applyModifyAccount(db, name, changes, c);
    }),
  fc.record({ login, locked: fc.boolean() }).map(
    ({ login: name, locked }) =>
      (db: AccountDatabase) =>
        applySetLocked(db, name, locked),
  ),
  fc.record({ login, day: fc.option(fc.integer({ min: 0, max: 30000 })) }).map(
    ({ login: name, day }) =>
      (db: AccountDatabase) =>
        applySetExpiry(db, name, day),
  ),
  fc.tuple(login, login).map(([from, to]) => (db: AccountDatabase) => {
    applyRenameAccount(db, from, to);
  }),
  fc
    .record({ group, system: fc.boolean() })
    .map(({ group: name, system }) => (db: AccountDatabase, c: OperationContext) => {
      applyCreateGroup(db, { name, system }, c);
    }),
  group.map((name) => (db: AccountDatabase) => applyDeleteGroup(db, name)),
  fc.tuple(group, group).map(
    ([from, to]) =>
      (db: AccountDatabase) =>
        applyRenameGroup(db, from, to),
  ),
  fc.tuple(group, login).map(
    ([name, member]) =>
      (db: AccountDatabase) =>
        applyAddMember(db, name, member),
  ),
  fc.tuple(group, login).map(
    ([name, member]) =>
      (db: AccountDatabase) =>
        applyRemoveMember(db, name, member),
  ),
  fc.tuple(group, login, fc.constantFrom(...groupRoles)).map(
    ([name, member, role]) =>
      (db: AccountDatabase) =>
        applySetRole(db, name, member, role),
  ),
);

describe('10,000 random operations on a sandbox', () => {
  it('leave files pwck and grpck accept, and that read back as the model in memory', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 10_000, maxLength: 10_000 }), async (operations) => {
        let applied = 0;
        // In batches of 500, each one transaction through the real store: locks, atomic writes.
        for (let start = 0; start < operations.length; start += 500) {
          await sandbox.store.transact((db, context) => {
            for (const apply of operations.slice(start, start + 500)) {
              try {
                apply(db, context);
                applied += 1;
              } catch (error) {
                if (!(error instanceof CoreError)) throw error;
              }
            }
          });
        }
        expect(applied).toBeGreaterThan(2000);
        await run('pwck', ['-r', '-q', '-R', sandbox.root]);
        await run('grpck', ['-r', '-q', '-R', sandbox.root]);
        const texts = await Promise.all(
          databaseNames.map((name) => readFile(join(sandbox.root, 'etc', databasePaths[name]), 'utf8').catch(() => '')),
        );
        const reread = AccountDatabase.parse(texts[0]!, texts[1]!, texts[2]!, texts[3]!, texts[4]!);
        for (const name of databaseNames) {
          expect(reread.render(name)).toBe(sandbox.store.database.render(name));
          expect([...reread[name].entries()]).toEqual([...sandbox.store.database[name].entries()]);
        }
      }),
      { numRuns: 1, endOnFailure: true },
    );
  }, 120_000);
});
