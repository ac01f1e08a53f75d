import { describe, expect, it } from 'vitest';
import { suggestLogin } from '../../web/accounts/suggest-login.ts';
import { ratePassword } from '../../web/accounts/password-strength.ts';
import { matchesFilter, normalizeSearch } from '../../web/accounts/search-text.ts';
import { guessColumn } from '../../web/accounts/guess-column.ts';
import { getSearchText } from '../../server/web/accounts/account-list.ts';
import { validateName } from '../../server/core/accounts/validate-fields.ts';

describe("the accounts pages' browser helpers", () => {
  it('suggest a valid login from a full name, accents transliterated', () => {
    const cases: [string, string][] = [
      ['Bruno Lefèvre', 'bruno.lefevre'],
      ['Zoé Faure-Öberg', 'zoe.faure.oberg'],
      ['Łukasz Żółw', 'lukasz.zolw'],
      ['Søren Ærø', 'soren.aero'],
      ['Straße', 'strasse'],
      ['  42 Jean  ', 'jean'],
      ['!!!', ''],
      ['A'.repeat(40), 'a'.repeat(32)],
      ['Nguyễn Thị Minh', 'nguyen.thi.minh'],
    ];
    for (const [fullName, login] of cases) {
      expect(suggestLogin(fullName)).toBe(login);
      if (login) expect(validateName(login, 'login')).toBe(login);
    }
  });

  it("rate passwords along the server's policy", () => {
    expect(ratePassword('', 'bob').score).toBe(0);
    expect(ratePassword('Ab1', 'bob').label).toMatch(/Too short/);
    expect(ratePassword('bob-is-Great1', 'bob').label).toMatch(/login/);
    expect(ratePassword('aaaaaaaaaa', 'x').label).toMatch(/two kinds/);
    expect(ratePassword('abcdefg1', 'x').score).toBe(2);
    expect(ratePassword('Abcdefgh-1234', 'x').score).toBe(3);
    expect(ratePassword('Abcdefgh-12345678', 'x').score).toBe(4);
  });

  it('filter pushed rows exactly as the server filters its list', () => {
    const search = getSearchText({
      login: 'blefevre',
      fullName: 'Bruno Lefèvre',
      uid: 1002,
      primaryGroup: 'users',
      groups: ['admins', 'rsp-developers'],
      memberships: [
        { group: 'admins', role: null },
        { group: 'developers', role: 'responsible' },
      ],
    } as never);
    // Groups by name, a role's group too (developers), never the helper group's name.
    expect(search).toBe(normalizeSearch('blefevre Bruno Lefèvre 1002 users admins developers'));
    expect(matchesFilter(search, 'lefevre developers')).toBe(true);
    expect(matchesFilter(search, 'rsp-')).toBe(false);
    expect(matchesFilter(search, 'LEFÈVRE admins')).toBe(true);
    expect(matchesFilter(search, 'lefevre  1002')).toBe(true);
    expect(matchesFilter(search, 'lefevre marketing')).toBe(false);
    expect(matchesFilter(search, '')).toBe(true);
    // Plain ASCII (the server's quicker path) and a tab or a combining mark (the full one).
    for (const fullName of ['John O-Brien DOE', 'Tab\there', 'Noe\u0308l Zoë']) {
      const text = getSearchText({ login: 'JDoe', fullName, uid: 7, primaryGroup: null, memberships: [] } as never);
      expect(text).toBe(normalizeSearch(`JDoe ${fullName} 7 `));
    }
  });

  it('guess the field of CSV headers in English and French', () => {
    expect(['Login', 'Nom complet', 'UID', 'Groupes', 'Mot de passe', 'Comment'].map(guessColumn)).toEqual([
      'login',
      'fullName',
      'uid',
      'groups',
      'password',
      'ignore',
    ]);
  });
});
