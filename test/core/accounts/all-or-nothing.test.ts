import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { setFaultPoint } from '../../../server/core/accounts/directory-steps.ts';
import { parsePasswd } from '../../../server/core/accounts/parse-passwd.ts';
import type { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import { listTree } from './tree-digest.ts';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
  // Once, so that what the first transaction makes for good (the lckpwdf lock file,
  // etc/licorn/) is there before the first digest.
  await s.service.setLocked('hpetit', false);
});
afterAll(() => s.remove());

// Small pools so that operations meet: homes of the same names come and go.
const login = fc.constantFrom('pt0', 'pt1', 'pt2', 'pt3', 'adurand', 'hpetit', 'dnguyen');
const group = fc.constantFrom('ptg0', 'ptg1', 'developers', 'support');
const disposal = fc.constantFrom('archive' as const, 'remove' as const, 'keep' as const);

type Operation = { name: string; apply: (service: AccountsService) => Promise<unknown> };
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc
    .uniqueArray(login, { minLength: 1, maxLength: 3 })
    .chain((logins) => fc.record({ logins: fc.constant(logins), role: fc.option(group), homes: fc.boolean() }))
    .map(({ logins, role, homes }) => ({
      name: `create ${logins.join(',')}${role ? ` responsible of ${role}` : ''}${homes ? '' : ' without homes'}`,
      apply: (service: AccountsService) =>
        service.createAccounts(
          logins.map((name) => ({
            login: name,
            password: null,
            createHome: homes,
            ...(role ? { roles: { [role]: 'responsible' as const } } : {}),
          })),
        ),
    })),
  fc
    .record({ logins: fc.uniqueArray(login, { minLength: 1, maxLength: 3 }), home: disposal })
    .map(({ logins, home }) => ({
      name: `delete ${logins.join(',')} (${home})`,
      apply: (service: AccountsService) => service.deleteAccounts(logins, home),
    })),
  fc.record({ from: login, to: login, moveHome: fc.boolean() }).map(({ from, to, moveHome }) => ({
    name: `rename ${from} to ${to}${moveHome ? ' with its home' : ''}`,
    apply: (service: AccountsService) => service.renameAccount(from, to, { moveHome, renameGroup: true }),
  })),
  fc
    .record({ login, uid: fc.integer({ min: 5000, max: 5003 }), fullName: fc.constantFrom('A', 'B') })
    .map(({ login: name, uid, fullName }) => ({
      name: `give ${name} UID ${uid}`,
      apply: (service: AccountsService) => service.modifyAccount(name, { uid, fullName }),
    })),
  fc
    .record({ login, home: fc.constantFrom('/home/pt-moved', '/home/adurand', '/etc', '/home/groups/developers') })
    .map(({ login: name, home }) => ({
      name: `point ${name} at ${home}`,
      apply: (service: AccountsService) => service.modifyAccount(name, { home }),
    })),
  group.map((name) => ({
    name: `create group ${name}`,
    apply: (service: AccountsService) => service.createGroup({ name }),
  })),
  group.map((name) => ({
    name: `delete group ${name}`,
    apply: (service: AccountsService) => service.deleteGroup(name),
  })),
  fc.tuple(group, group).map(([from, to]) => ({
    name: `rename group ${from} to ${to}`,
    apply: (service: AccountsService) => service.renameGroup(from, to),
  })),
  fc.tuple(group, login).map(([name, member]) => ({
    name: `${member} guest of ${name}`,
    apply: (service: AccountsService) => service.setRole(name, member, 'guest'),
  })),
);

// The accounts the files hold, and those the service serves: the same after every step.
async function checkMemoryMatchesFiles(service: AccountsService): Promise<void> {
  const text = await readFile(join(s.root, 'etc/passwd'), 'utf8');
  const onDisk = parsePasswd(text).flatMap((line) => (line.entry ? [line.entry.login] : []));
  expect(service.listAccounts().map((account) => account.login)).toEqual(onDisk);
}

describe('every operation is all or nothing, whichever filesystem step fails', () => {
  it('a failure at any step leaves the whole sandbox tree identical; a success leaves consistent files', async () => {
    let failed = 0;
    let succeeded = 0;
    await fc.assert(
      fc.asyncProperty(operation, fc.integer({ min: 1, max: 14 }), async (op, failAt) => {
        // One walk of the tree before, one after a failure: the listing holds what digestTree
        // hashes (path, type, mode, owner, content) and says what changed; a digest beside it
        // walked and read the whole tree once more before and after each step.
        const listed = await listTree(s.root);
        setFaultPoint(failAt);
        const outcome = await op.apply(s.service).then(
          () => 'done',
          (error: Error) => error.message,
        );
        setFaultPoint(null);
        await checkMemoryMatchesFiles(s.service);
        if (outcome === 'done') {
          succeeded += 1;
          return;
        }
        failed += 1;
        const after = await listTree(s.root);
        const changed = [...new Set([...listed.keys(), ...after.keys()])].filter(
          (path) => listed.get(path) !== after.get(path),
        );
        if (changed.length > 0) {
          expect.fail(`${op.name} failed (${outcome}) yet changed: ${changed.slice(0, 10).join(', ')}`);
        }
      }),
      { numRuns: 150, endOnFailure: true },
    );
    // Both kinds happened, and the files are still what shadow-utils accepts.
    expect(failed).toBeGreaterThan(20);
    expect(succeeded).toBeGreaterThan(10);
    await run('pwck', ['-r', '-q', '-R', s.root]);
    await run('grpck', ['-r', '-q', '-R', s.root]);
  }, 240_000);
});
