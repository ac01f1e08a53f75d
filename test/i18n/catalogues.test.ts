import { describe, expect, it } from 'vitest';
import { type Catalogue, catalogues } from '../../common/i18n/catalogues.ts';
import { locales, namespaces } from '../../common/i18n/locales.ts';

// Every key of a catalogue, dotted ("accounts.title"), with its text.
function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') keys.set(prefix + key, value);
    else for (const [inner, text] of flatten(value, `${prefix}${key}.`)) keys.set(inner, text);
  }
  return keys;
}

describe('the catalogues', () => {
  for (const namespace of namespaces) {
    it(`have the same keys in every language, none empty (${namespace})`, () => {
      const english = flatten(catalogues.en[namespace]);
      for (const locale of locales) {
        const keys = flatten(catalogues[locale][namespace]);
        expect([...keys.keys()].sort(), `${locale}/${namespace}.json`).toEqual([...english.keys()].sort());
        for (const [key, text] of keys) expect(text.trim(), `${locale}/${namespace}.json: ${key}`).not.toBe('');
      }
    });
  }
});
