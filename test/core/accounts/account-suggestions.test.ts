import { describe, expect, it } from 'vitest';
import { AccountSuggestions } from '../../../server/core/accounts/account-suggestions.ts';
import type { AccountView } from '../../../server/core/accounts/account-schema.ts';

const account = (login: string, fullName: string, system = false): AccountView => ({
  login,
  fullName,
  uid: system ? 500 : 1000,
  gid: 100,
  primaryGroup: 'users',
  groups: [],
  memberships: [],
  home: `/home/${login}`,
  shell: '/bin/bash',
  locked: false,
  system,
  passwordChanged: null,
  expiry: null,
  version: 'v',
});

// 10,000 accounts, as the bench's big sandbox, and a few people to find among them.
const crowd = Array.from({ length: 10_000 }, (_, index) =>
  account(`user${String(index).padStart(5, '0')}`, `Person Number ${index}`),
);
const people = [
  account('blefevre', 'Bruno Lefèvre'),
  account('alefebvre', 'Anne Lefebvre'),
  account('lefevrej', 'Jeanne Martin'),
  account('eloise', 'Éloïse Çelik'),
  account('www-data', 'Lefèvre the daemon', true),
];
const index = new AccountSuggestions([...crowd, ...people]);
const logins = (text: string, limit = 8) => index.find(text, limit).map((suggestion) => suggestion.login);

describe('account suggestions', () => {
  it('find by login or full name, accents and case ignored, a login that begins with it first', () => {
    expect(logins('lefevre')).toEqual(['lefevrej', 'blefevre']);
    expect(logins('LEFÈVRE')).toEqual(['lefevrej', 'blefevre']);
    expect(logins('bruno lef')).toEqual(['blefevre']);
    expect(logins('eloise')).toEqual(['eloise']);
    expect(logins('celik')).toEqual(['eloise']);
    // A name's word that begins with it before a word that only holds it (Jeanne).
    expect(index.find('anne', 8)).toEqual([
      { login: 'alefebvre', fullName: 'Anne Lefebvre' },
      { login: 'lefevrej', fullName: 'Jeanne Martin' },
    ]);
  });

  it('never suggest system accounts, and answer at most the limit asked (20 at most)', () => {
    expect(logins('daemon')).toEqual([]);
    expect(logins('user', 5)).toEqual(['user00000', 'user00001', 'user00002', 'user00003', 'user00004']);
    expect(index.find('number', 1000)).toHaveLength(20);
    expect(logins('number 9999')).toEqual(['user09999']);
    expect(logins('   ')).toEqual([]);
    expect(logins('user', 0)).toEqual([]);
  });

  it('take a typographic apostrophe as a word break, as a plain one', () => {
    const names = new AccountSuggestions([
      account('aaa', 'Xartagnanx'),
      account('dartagnan', 'Charles d\u2019Artagnan'),
    ]);
    expect(names.find('artagnan', 8).map((suggestion) => suggestion.login)).toEqual(['dartagnan', 'aaa']);
  });

  it('cut a long query rather than scan with it', () => {
    expect(logins('b'.repeat(10_000))).toEqual([]);
  });
});
