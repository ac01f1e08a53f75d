import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../../server/core/auth/authenticator.ts';
import { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { createSandbox, testPasswords, type Sandbox } from '../../helpers/sandbox.ts';

let sandbox: Sandbox;
let accounts: AccountsService;
let auth: Authenticator;

beforeAll(async () => {
  sandbox = await createSandbox();
  accounts = await AccountsService.open({ root: sandbox.root, events: new EventBus() });
  auth = new Authenticator({
    accounts,
    isRealMachine: false,
    pamService: 'licorn',
    adminGroups: ['admins', 'licorn-wmi', 'sudo'],
  });
});
afterAll(async () => {
  await accounts.close();
  await sandbox.remove();
});

describe('Authenticator against a sandbox shadow', () => {
  it('lets an admin in with the right password', async () => {
    const outcome = await auth.authenticate('admin', testPasswords.admin, '127.0.0.1');
    expect(outcome).toMatchObject({
      ok: true,
      account: { login: 'admin', isAdmin: true, fullName: 'Demo Administrator' },
    });
  });

  it('lets a plain account in, not as an admin', async () => {
    const outcome = await auth.authenticate('dnguyen', testPasswords.dnguyen, '127.0.0.1');
    expect(outcome).toMatchObject({
      ok: true,
      account: { login: 'dnguyen', isAdmin: false, primaryGroup: 'users', groups: ['developers'] },
    });
  });

  it.each([
    ['admin', 'wrong password', 'bad-credentials'],
    ['nobody-here', 'whatever', 'bad-credentials'],
    ['Admin', testPasswords.admin, 'bad-credentials'],
    ['admin:0', testPasswords.admin, 'bad-credentials'],
    ['ndupont', testPasswords.ndupont, 'bad-credentials'], // locked: `!` makes the hash unusable
    ['qrousseau', testPasswords.qrousseau, 'account-expired'],
    ['root', '', 'bad-credentials'],
    ['admin', `${testPasswords.admin}\0`, 'bad-credentials'], // libxcrypt and PAM would stop at the NUL
    ['admin', `${testPasswords.admin}\0tail`, 'bad-credentials'],
    ['admin', 'x'.repeat(70_000), 'bad-credentials'],
  ])('refuses %s', async (login, password, reason) => {
    expect(await auth.authenticate(login, password, '127.0.0.1')).toEqual({ ok: false, reason });
  });

  it('lets a password that must be changed in, saying so', async () => {
    await accounts.forcePasswordChange('dnguyen');
    expect(await auth.authenticate('dnguyen', testPasswords.dnguyen, '127.0.0.1')).toMatchObject({
      ok: true,
      mustChangePassword: true,
      account: { login: 'dnguyen' },
    });
    expect(await auth.authenticate('admin', testPasswords.admin, '127.0.0.1')).toMatchObject({
      ok: true,
      mustChangePassword: false,
    });
  });
});
