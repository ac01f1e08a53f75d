import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTranslation } from '../../../common/i18n/translator.ts';
import { locales } from '../../../common/i18n/locales.ts';

const viewsDir = join(import.meta.dirname, '../../../views');
// Names that are the same in every language (the product's own).
const allowed = ['Licorn WMI'];
// Paths (/home/…) are the same in every language.
const isPath = (text: string) => /^\/[\w/.&#;-]*$/.test(text);
// Attributes a person reads (shown or spoken).
const spoken = /\s(?:title|placeholder|aria-label|alt)="([^"]*)"/g;

// A template's text with what Nunjucks computes taken out: what remains is written as is.
function getLiteralText(template: string): string {
  return template
    .replace(/\{#[\s\S]*?#\}/g, ' ')
    .replace(/\{%[\s\S]*?%\}/g, ' ')
    .replace(/\{\{[\s\S]*?\}\}/g, ' ');
}

// The words a template writes without t(): text between tags, and spoken attributes.
export function findLiteralWords(template: string): string[] {
  const literal = getLiteralText(template);
  const found: string[] = [];
  for (const match of literal.matchAll(spoken)) found.push(match[1]!);
  // Attributes are markup (ids, classes, values sent back), spoken ones checked above.
  const text = literal
    .replace(/\s[\w:-]+="[^"]*"/g, ' ')
    .replace(/\s(?:disabled|checked|selected|hidden|required|autofocus)\b/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[#a-z0-9]+;/gi, ' ');
  found.push(...text.split(/\s{2,}|\n/));
  return found
    .map((part) => allowed.reduce((rest, name) => rest.replaceAll(name, ' '), part).trim())
    .filter((part) => /\p{L}/u.test(part) && !isPath(part));
}

async function readViews(): Promise<[string, string][]> {
  const names = (await readdir(viewsDir, { recursive: true })).filter((name) => name.endsWith('.njk'));
  return Promise.all(
    names.map(async (name) => [name, await readFile(join(viewsDir, name), 'utf8')] as [string, string]),
  );
}

describe('the views’ words', () => {
  it('finds words written outside t() (the check itself)', () => {
    expect(findLiteralWords('<p title="Hello">{{ t("a") }} Log out</p>')).toEqual(['Hello', 'Log out']);
    expect(findLiteralWords('<p aria-label="{{ t(\'x\') }}">{{ name }} &#8212; {% if a %}{% endif %}</p>')).toEqual([]);
  });

  it('come from the pages catalogue: no template writes a word of its own', async () => {
    const views = await readViews();
    expect(views.length).toBeGreaterThan(30);
    const offenders = views.flatMap(([name, text]) => findLiteralWords(text).map((words) => `${name}: ${words}`));
    expect(offenders).toEqual([]);
  });

  it('name keys that both languages have', async () => {
    const missing: string[] = [];
    for (const [name, text] of await readViews()) {
      // Keys ending in "." are completed at render time ('roles.of.' + role): their leaves are
      // checked by test/i18n/catalogues.test.ts (both languages have the same keys).
      for (const match of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+[a-zA-Z0-9_-])'/g)) {
        const key = match[1]!;
        for (const locale of locales) {
          const found = hasTranslation(locale, 'pages', key) || hasTranslation(locale, 'pages', `${key}_other`);
          if (!found) missing.push(`${name}: ${key} (${locale})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
