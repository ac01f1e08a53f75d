import { describe, expect, it } from 'vitest';
import { getEnvironmentLocale } from '../../../server/cli/client/environment-locale.ts';

describe("the terminal's language", () => {
  it('is read from LC_ALL, else LC_MESSAGES, else LANG, as POSIX says', () => {
    expect(getEnvironmentLocale({ LANG: 'fr_FR.UTF-8' })).toBe('fr');
    expect(getEnvironmentLocale({ LANG: 'fr.UTF-8' })).toBe('fr');
    expect(getEnvironmentLocale({ LANG: 'fr_CA@euro' })).toBe('fr');
    expect(getEnvironmentLocale({ LANG: 'en_GB.UTF-8', LC_MESSAGES: 'fr_BE.UTF-8' })).toBe('fr');
    expect(getEnvironmentLocale({ LANG: 'fr_FR.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(getEnvironmentLocale({ LANG: 'fr_FR.UTF-8', LC_ALL: '' })).toBe('fr');
  });

  it('is English for C, POSIX, or a language Licorn does not speak', () => {
    expect(getEnvironmentLocale({ LANG: 'C.UTF-8' })).toBe('en');
    expect(getEnvironmentLocale({ LC_ALL: 'POSIX' })).toBe('en');
    expect(getEnvironmentLocale({ LANG: 'de_DE.UTF-8' })).toBe('en');
  });

  it("is null when none is set (no Accept-Language: the account's own choice applies)", () => {
    expect(getEnvironmentLocale({})).toBeNull();
    expect(getEnvironmentLocale({ LANG: '', LC_ALL: '' })).toBeNull();
  });
});
