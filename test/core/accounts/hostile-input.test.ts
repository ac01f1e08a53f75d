import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { CoreError } from '../../../server/core/errors.ts';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
});
afterAll(() => s.remove());

// Pieces of hostile text: separators of the files, control characters, path tricks, shell
// metacharacters, non-ASCII, and the names Licorn's old tests refused.
const nasty = [
  ':',
  ',',
  '\n',
  '\r',
  '\0',
  '\t',
  '\u001b[31m',
  '\u007f',
  '../',
  '/../..',
  '$(reboot)',
  '`id`',
  '; rm -rf /',
  '|',
  '&&',
  "'",
  '"',
  '<script>',
  'héhéhé',
  '日本',
  '_-  -_',
  ';-)',
  ' ',
  '',
  '-',
  '.',
  'UPPER',
  'a'.repeat(33),
  'x'.repeat(5000),
];

const badNames = [...nasty, ...nasty.map((piece) => `ok${piece}`), ...nasty.map((piece) => `${piece}ok`)].filter(
  (name) => !/^[a-z_][a-z0-9_.-]*[$]?$/.test(name) || name.length > 32,
);
const badTexts = nasty
  .filter((piece) => /[:,\u0000-\u001f\u007f]/.test(piece) || piece.length > 256)
  .flatMap((piece) => [piece, `Jean${piece}Dupont`]);
const badHomes = [
  'relative/home',
  'home',
  '/home/../etc',
  '/home/./x',
  '/home//x',
  '/home/x/',
  '/home/a:b',
  '/home/a\nb',
  '/home/\0',
  '',
];
const badShells = ['/bin/nope', 'bash', '/bin/bash\n', '/bin/bash:', '', '../../bin/sh'];
const badIds = [-1, 0, 999, 30000, 65534, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 40];

// Every case: an operation that must be refused, and the field the error must name.
function getCases(): [string, () => Promise<unknown>, string][] {
  const cases: [string, () => Promise<unknown>, string][] = [];
  // No password where the hostile value is elsewhere: the core hashes a given password (yescrypt,
  // ~20 ms of CPU) before it checks the other fields, and the refusal is the same without it.
  // The password's own cases below give one.
  const pw = { password: null, createHome: false };
  for (const login of badNames)
    cases.push([
      `create login ${JSON.stringify(login).slice(0, 30)}`,
      () => s.service.createAccount({ login, ...pw }),
      'login',
    ]);
  for (const fullName of badTexts) {
    cases.push([
      `create fullName ${JSON.stringify(fullName).slice(0, 30)}`,
      () => s.service.createAccount({ login: 'victim', fullName, ...pw }),
      'fullName',
    ]);
    cases.push([
      `modify fullName ${JSON.stringify(fullName).slice(0, 30)}`,
      () => s.service.modifyAccount('dnguyen', { fullName }),
      'fullName',
    ]);
  }
  for (const home of badHomes) {
    cases.push([
      `create home ${JSON.stringify(home)}`,
      () => s.service.createAccount({ login: 'victim', home, ...pw }),
      'home',
    ]);
    cases.push([`modify home ${JSON.stringify(home)}`, () => s.service.modifyAccount('dnguyen', { home }), 'home']);
  }
  for (const shell of badShells) {
    cases.push([
      `create shell ${JSON.stringify(shell)}`,
      () => s.service.createAccount({ login: 'victim', shell, ...pw }),
      'shell',
    ]);
    cases.push([`modify shell ${JSON.stringify(shell)}`, () => s.service.modifyAccount('dnguyen', { shell }), 'shell']);
  }
  for (const uid of badIds) {
    cases.push([`create uid ${uid}`, () => s.service.createAccount({ login: 'victim', uid, ...pw }), 'uid']);
    cases.push([`modify uid ${uid}`, () => s.service.modifyAccount('dnguyen', { uid }), 'uid']);
  }
  cases.push(['modify to a taken uid', () => s.service.modifyAccount('dnguyen', { uid: 1001 }), 'uid']);
  for (const locked of ['yes', 1, null])
    cases.push([
      `modify locked ${locked}`,
      () => s.service.modifyAccount('dnguyen', { locked: locked as never }),
      'locked',
    ]);
  cases.push(['create a taken uid', () => s.service.createAccount({ login: 'victim', uid: 1001, ...pw }), 'uid']);
  cases.push(['create an existing login', () => s.service.createAccount({ login: 'dnguyen', ...pw }), 'login']);
  cases.push([
    'create a login named like a group',
    () => s.service.createAccount({ login: 'developers', ...pw }),
    'login',
  ]);
  for (const password of [
    'short1A',
    'alllowercaseletters',
    '1234567890',
    'victim',
    'mitciv',
    'VICTIM',
    'x'.repeat(5000),
    'Abc\0defgh1',
  ]) {
    cases.push([
      `create password ${JSON.stringify(password).slice(0, 20)}`,
      () => s.service.createAccount({ login: 'victim', password, createHome: false }),
      'password',
    ]);
    cases.push([
      `set password ${JSON.stringify(password).slice(0, 20)}`,
      () => s.service.setPassword('victim', password),
      'password',
    ]);
  }
  cases.push([
    'create with an unknown group',
    () => s.service.createAccount({ login: 'victim', groups: ['nope'], ...pw }),
    'groups',
  ]);
  cases.push([
    'create with an unknown primary group',
    () => s.service.createAccount({ login: 'victim', primaryGroup: 'nope', ...pw }),
    'primaryGroup',
  ]);
  for (const name of badNames) {
    cases.push([`delete account ${JSON.stringify(name).slice(0, 20)}`, () => s.service.deleteAccount(name), 'login']);
    cases.push([`delete group ${JSON.stringify(name).slice(0, 20)}`, () => s.service.deleteGroup(name), 'name']);
  }
  for (const group of badNames)
    cases.push([
      `create group ${JSON.stringify(group).slice(0, 30)}`,
      () => s.service.createGroup({ name: group }),
      'name',
    ]);
  for (const gid of badIds)
    cases.push([`create group gid ${gid}`, () => s.service.createGroup({ name: 'victims', gid }), 'gid']);
  cases.push(['create an existing group', () => s.service.createGroup({ name: 'developers' }), 'name']);
  for (const day of [-1, 1.5, 'tomorrow', 1e12])
    cases.push([`expiry ${day}`, () => s.service.setExpiry('dnguyen', day as number), 'expiry']);
  cases.push(['add to an unknown group', () => s.service.addMember('nope', 'dnguyen'), 'group']);
  cases.push(['add an unknown account', () => s.service.addMember('developers', 'nobody-here'), 'login']);
  cases.push(['remove a non-member', () => s.service.removeMember('developers', 'adurand'), 'member']);
  for (const login of badNames) {
    const shown = JSON.stringify(login).slice(0, 20);
    cases.push([`lock ${shown}`, () => s.service.setLocked(login, true), 'login']);
    cases.push([`rename to ${shown}`, () => s.service.renameAccount('dnguyen', login), 'login']);
    cases.push([`rename group to ${shown}`, () => s.service.renameGroup('support', login), 'newName']);
    cases.push([`role for ${shown}`, () => s.service.setRole('support', login, 'member'), 'login']);
    cases.push([`role in ${shown}`, () => s.service.setRole(login, 'dnguyen', 'member'), 'group']);
    cases.push([`member ${shown}`, () => s.service.addMember('support', login), 'login']);
    cases.push([`expire ${shown}`, () => s.service.setExpiry(login, 20000), 'login']);
    cases.push([
      `modify primary group ${shown}`,
      () => s.service.modifyAccount('dnguyen', { primaryGroup: login }),
      'group',
    ]);
    cases.push([
      `modify groups ${shown}`,
      () => s.service.modifyAccount('dnguyen', { groups: ['support', login] }),
      'group',
    ]);
    cases.push([
      `create in group ${shown}`,
      () => s.service.createAccount({ login: 'victim', groups: [login], ...pw }),
      'group',
    ]);
  }
  for (const role of ['boss', '', 'MEMBER', 'member\n', '__proto__', 'constructor'])
    cases.push([`role ${JSON.stringify(role)}`, () => s.service.setRole('support', 'dnguyen', role as never), 'role']);
  cases.push(['delete an unknown account', () => s.service.deleteAccount('nobody-here'), 'login']);
  return cases;
}

describe('hostile input through every operation', () => {
  it('is refused with a CoreError naming the field, and every file stays byte-identical', async () => {
    const cases = getCases();
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const before = await s.digestEtc();
    for (const [what, attempt, field] of cases) {
      const error = await attempt().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error, what).toBeInstanceOf(CoreError);
      expect((error as CoreError).field, `${what}: ${(error as Error).message}`).toBe(field);
      expect((error as Error).message).not.toContain('\n');
    }
    expect(await s.digestEtc()).toBe(before);
    // Over a thousand locked transactions: on a shared machine under a full suite, more than 30 s.
  }, 120_000);
});
