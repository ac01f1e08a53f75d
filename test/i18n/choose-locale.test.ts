import { describe, expect, it } from 'vitest';
import { acceptLanguageMaxChars, chooseLocale } from '../../common/i18n/choose-locale.ts';

describe('chooseLocale', () => {
  it("takes the account's preference over the browser's", () => {
    expect(chooseLocale('fr', 'en-GB,en;q=0.9')).toBe('fr');
    expect(chooseLocale('en', 'fr-FR,fr;q=0.9')).toBe('en');
  });

  it('ignores a preference Licorn does not speak', () => {
    expect(chooseLocale('de', 'fr')).toBe('fr');
    expect(chooseLocale('__proto__', undefined)).toBe('en');
  });

  it('reads regional tags and q-values', () => {
    expect(chooseLocale(null, 'fr-CA,fr;q=0.9,en;q=0.8')).toBe('fr');
    expect(chooseLocale(null, 'de-DE,en;q=0.5,fr;q=0.7')).toBe('fr');
    expect(chooseLocale(null, 'fr;q=0,en')).toBe('en');
  });

  it('falls back to English for none, an unknown language or garbage', () => {
    expect(chooseLocale(null, undefined)).toBe('en');
    expect(chooseLocale(null, 'de-DE,ja')).toBe('en');
    expect(chooseLocale(null, ';;;,,,q=,==')).toBe('en');
  });

  it("reads only a long header's first entries, cut at a comma (red team 10 F1)", () => {
    const filler = Array.from({ length: 5300 }, (_, i) => `x${i % 10}`).join(',');
    expect(chooseLocale(null, `fr,${filler}`)).toBe('fr');
    // fr past the first 256 characters is not read: no browser sends it there.
    expect(chooseLocale(null, `${filler},fr`)).toBe('en');
    const cut = `${'x1,'.repeat(84)}fr-FR`;
    expect(cut.length).toBeGreaterThan(acceptLanguageMaxChars);
    expect(chooseLocale(null, cut)).toBe('en');
  });
});
