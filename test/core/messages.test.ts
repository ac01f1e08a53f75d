import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Catalogue, catalogues } from '../../common/i18n/catalogues.ts';
import { hasTranslation } from '../../common/i18n/translator.ts';
import { CoreError } from '../../server/core/errors.ts';
import { counted, listed, quoted, renderMessage, say } from '../../server/core/messages.ts';
import { describeMembership, describeRole } from '../../server/core/accounts/membership-words.ts';

const projectDir = join(import.meta.dirname, '../..');

// Every key of a catalogue, dotted, plural suffixes folded ("passwords.tooShort").
function getKeys(catalogue: Catalogue, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([key, value]) =>
    typeof value === 'string'
      ? [`${prefix}${key}`.replace(/_(zero|one|two|few|many|other)$/, '')]
      : getKeys(value, `${prefix}${key}.`),
  );
}

// Every TypeScript source of the daemon and the CLI, with its text.
async function readSources(): Promise<[string, string][]> {
  const root = join(projectDir, 'server');
  const files = (await readdir(root, { recursive: true })).filter((file) => file.endsWith('.ts'));
  return Promise.all(files.map(async (file) => [file, await readFile(join(root, file), 'utf8')] as [string, string]));
}

// Whether a key has a text in a language, as a plural or not.
const isIn = (locale: 'en' | 'fr', key: string) =>
  hasTranslation(locale, 'core', key) || hasTranslation(locale, 'core', `${key}_other`);

describe('the core messages', () => {
  it('every CoreError of the sources is given a keyed message, never a sentence', async () => {
    const sources = await readSources();
    const unkeyed: string[] = [];
    let count = 0;
    for (const [file, text] of sources) {
      // The second argument of each `new CoreError(code, message…)`, up to its first comma or parenthesis.
      for (const match of text.matchAll(/new CoreError\(\s*[^,]+,\s*([^,)]*)/g)) {
        count += 1;
        if (/^\s*['"`]/.test(match[1]!)) unkeyed.push(`${file}: ${match[0].slice(0, 100)}`);
      }
    }
    expect(count).toBeGreaterThan(150);
    expect(unkeyed).toEqual([]);
  });

  it('every key the sources name has its text in English and in French, and every text is used', async () => {
    const sources = await readSources();
    const named = new Set<string>();
    const prefixes = new Set<string>();
    const keys = getKeys(catalogues.en.core).filter((key) => key !== 'language.name');
    const known = new Set(keys);
    for (const [, text] of sources) {
      for (const [, key] of text.matchAll(/say\(\s*'([^']+)'/g)) named.add(key!);
      // Keys built from a value (`permissions.own.${action}`): their fixed beginning.
      for (const [, prefix] of text.matchAll(/say\(\s*`([^`$]+)\$\{/g)) prefixes.add(prefix!);
      // Keys kept in tables (validationKeys, typeWords) and chosen by a condition.
      for (const [, key] of text.matchAll(/'([a-zA-Z]+(?:\.[\w-]+)+)'/g)) if (known.has(key!)) named.add(key!);
    }
    expect(named.size).toBeGreaterThan(200);
    const missing = [...named].filter((key) => !isIn('en', key) || !isIn('fr', key));
    expect(missing).toEqual([]);
    for (const prefix of prefixes)
      expect(
        keys.some((key) => key.startsWith(prefix)),
        prefix,
      ).toBe(true);
    const unused = keys.filter((key) => !named.has(key) && ![...prefixes].some((prefix) => key.startsWith(prefix)));
    expect(unused).toEqual([]);
  });

  it('refuses at run time a message without a key, or a key without English text', () => {
    expect(() => new CoreError('not-found', 'No account named "x"' as never)).toThrow(TypeError);
    expect(() => say('accounts.nothingLikeThis' as never)).toThrow(/No English text for the core message/);
  });

  it('keeps the English message and the key, and says it in French for a French reader', () => {
    const error = new CoreError('not-found', say('accounts.notFound', { login: quoted('jdupont') }), {
      field: 'login',
    });
    expect(error.message).toBe('No account named "jdupont"');
    expect(error.messageKey).toBe('accounts.notFound');
    expect(error.getMessage('en')).toBe(error.message);
    expect(error.getMessage('fr')).toBe('Aucun compte nommé «\u00a0jdupont\u00a0»');
  });

  it('says nested messages, lists, counts and plurals in the reader language', () => {
    const rule = say('names.invalid', {
      words: say('names.field.login'),
      value: quoted('Élodie'),
      fault: say('names.fault.capitals'),
      rule: say('names.rule'),
    });
    expect(renderMessage(rule, 'en')).toMatch(/^The login "Élodie" is not valid \(it has capital letters\): use lower/);
    expect(renderMessage(rule, 'fr')).toMatch(
      /^«\u00a0Élodie\u00a0» n’est pas valable pour l’identifiant \(il contient des majuscules\)\u00a0: utilisez des/,
    );
    const problems = say('import.problems', { count: 12_345, problems: counted(12_345), rows: counted(20_000) });
    expect(renderMessage(problems, 'en')).toMatch(/^12,345 of 20,000 rows/);
    expect(renderMessage(problems, 'fr')).toMatch(/^12\u202f345 lignes sur 20\u202f000/);
    expect(renderMessage(say('passwords.tooShort', { count: 1 }), 'fr')).toBe(
      'Le mot de passe doit avoir au moins 1 caractère',
    );
    expect(renderMessage(say('passwords.tooShort', { count: 12 }), 'en')).toBe(
      'The password must have at least 12 characters',
    );
    const holders = say('processes.list', { named: listed([quoted('a'), quoted('b')]) });
    expect(renderMessage(holders, 'fr')).toBe('«\u00a0a\u00a0», «\u00a0b\u00a0»');
  });

  it('never reads markup in the values: i18next braces, nesting and control characters stay as given', () => {
    const message = say('accounts.notFound', { login: quoted('{{login}} $t(names.rule) \n\u001b[31m') });
    expect(renderMessage(message, 'en')).toBe('No account named "{{login}} $t(names.rule) \\n\\u001b[31m"');
    expect(renderMessage(message, 'fr')).toBe(
      'Aucun compte nommé «\u00a0{{login}} $t(names.rule) \\n\\u001b[31m\u00a0»',
    );
  });

  it('writes French with its typography: a no-break space before : ; ! ? and inside « »', () => {
    const french = getKeys(catalogues.fr.core).map((key) => [key, renderKey(key)] as const);
    const faults = french.filter(([, text]) => / [:;!?]|« | »/.test(text.replace(/\{\{[^}]*\}\}/g, '')));
    expect(faults).toEqual([]);
  });

  it('says roles and memberships in words, in each language', () => {
    expect(describeMembership({ group: 'accounting', role: 'responsible' })).toBe('responsible of accounting');
    expect(describeMembership({ group: 'accounting', role: 'responsible' }, 'fr')).toBe('responsable de accounting');
    expect(describeMembership({ group: 'marketing', role: 'guest' }, 'fr')).toBe('invité de marketing');
    expect(describeMembership({ group: 'admins', role: null }, 'fr')).toBe('admins');
    expect(describeRole('accounting', 'none', 'fr')).toBe('aucun rôle dans accounting');
    expect(describeRole('accounting', 'member')).toBe('member of accounting');
  });
});

// A French text as stored (its plural forms folded to one of them).
function renderKey(key: string): string {
  let node: Catalogue | string = catalogues.fr.core;
  for (const part of key.split('.')) {
    const next: Catalogue | string | undefined = (node as Catalogue)[part] ?? (node as Catalogue)[`${part}_other`];
    node = next!;
  }
  return node as string;
}
