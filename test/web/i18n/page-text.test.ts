import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { type Catalogue, catalogues } from '../../../common/i18n/catalogues.ts';
import { locales } from '../../../common/i18n/locales.ts';
import { getTranslator } from '../../../common/i18n/translator.ts';
import { escapePageText, translatePage } from '../../../server/web/i18n/page-text.ts';

// Whether V8 holds `text` as a one-byte string: its serializer tags one-byte strings '"' and
// two-byte ones 'c' (the byte after the version header).
const isOneByte = (text: string) => serialize(text)[2] === '"'.charCodeAt(0);

describe('escapePageText', () => {
  it('writes characters beyond Latin-1 as entities and escapes HTML', () => {
    expect(escapePageText('Manage this server’s <accounts> & “groups”')).toBe(
      'Manage this server&#8217;s &lt;accounts&gt; &amp; &#8220;groups&#8221;',
    );
  });

  // A two-byte page costs its writes to the socket twice the memory (bench/README.md).
  it('answers a one-byte string for a text that held a character beyond Latin-1', () => {
    const text = 'Manage this server’s accounts';
    expect(isOneByte(text)).toBe(false);
    expect(isOneByte(escapePageText(text))).toBe(true);
    expect(isOneByte(escapePageText(`${text} é`))).toBe(true);
  });

  it("gives the login page's English words as one-byte strings", () => {
    expect(isOneByte(translatePage('en', 'login.about'))).toBe(true);
    expect(isOneByte(translatePage('en', 'me.tokens.made', { name: 'ci' }))).toBe(true);
  });
});

// Every key of a catalogue with its text (plural forms under their base key).
function* walk(catalogue: Catalogue, prefix = ''): Generator<[string, string]> {
  for (const [name, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') yield [`${prefix}${name}`.replace(/_(zero|one|two|few|many|other)$/, ''), value];
    else yield* walk(value, `${prefix}${name}.`);
  }
}

// What i18next itself writes, escaped: what translatePage wrote before it cached shapes.
const expected = (locale: (typeof locales)[number], key: string, options: Record<string, unknown>) =>
  escapePageText(String(getTranslator(locale, 'pages')(key, options as never)));

describe('translatePage with options', () => {
  it('writes every text of both languages as i18next does, first and later calls, strings escaped', () => {
    // Values with markup, quotes, ampersands, characters beyond Latin-1 and the markers' own.
    const strings = ['bob', '<b>"Ève" & \'Zoé\'</b>', '\u0001 0 \u0001 {{login}} $t(nav.me)', ''];
    const numbers = [0, 1, 2, 10_040];
    let checked = 0;
    for (const locale of locales)
      for (const [key, text] of walk(catalogues[locale].pages)) {
        const names = [...text.matchAll(/\{\{\s*([^{},\s]+)/g)].map((match) => match[1]!);
        if (names.length === 0) continue;
        for (let round = 0; round < 2; round += 1)
          for (const [index, value] of strings.entries()) {
            const options = Object.fromEntries(
              names.map((name) => [name, name === 'count' ? numbers[index] : `${value}${name}`]),
            );
            expect(translatePage(locale, key, options), `${locale} ${key} ${value}`).toBe(
              expected(locale, key, options),
            );
            checked += 1;
          }
      }
    expect(checked).toBeGreaterThan(200);
  });

  it('writes numbers in the language, a string in a number format and a context as i18next does', () => {
    for (const locale of locales) {
      for (const count of [0, 1, 2, 1234.5, 10_040]) {
        const options = { count, accounts: 'x', system: 'y' };
        expect(translatePage(locale, 'accounts.count', options)).toBe(expected(locale, 'accounts.count', options));
      }
      for (const options of [{ count: '3' }, { count: 3, context: 'male' }, { login: 7 }, { login: null }])
        expect(translatePage(locale, 'accounts.select', options)).toBe(expected(locale, 'accounts.select', options));
    }
    expect(translatePage('fr', 'accounts.count', { count: 10_040 })).toBe('10&#8239;040 comptes');
    expect(translatePage('en', 'accounts.select', { login: '<x>' })).toBe('Select &lt;x&gt;');
    expect(translatePage('fr', 'accounts.select', { login: 'zoé' })).toBe('Sélectionner zoé');
  });
});
