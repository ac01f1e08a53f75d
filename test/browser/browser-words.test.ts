// Every word the browser bundle shows comes from the browser catalogue: the sources of web/
// are parsed (rolldown's parser, the one vitest itself builds with) and every string or
// template literal that reads as words is refused unless it is a t('key') call's key or on
// the short list below of literals that are not shown to anyone (class lists, selectors,
// event names, key codes). The keys used must exist in both languages, and every key must
// be used (a dead key is a sentence nobody checks any more).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAst } from 'rolldown/parseAst';
import { describe, expect, it } from 'vitest';
import { type Catalogue, catalogues } from '../../common/i18n/catalogues.ts';
import { locales } from '../../common/i18n/locales.ts';
import { projectDir } from '../../server/project-dir.ts';

// Literals that read as words but are never shown: CSS classes, d3 element names, key codes,
// error names compared against, MIME types and file names.
const notShown = new Set([
  'button button-quiet',
  'toast toast-',
  'notice notice-',
  'notice notice-error session-notice',
  'series series-',
  'axis axis-x',
  'axis axis-y',
  'ArrowDown',
  'ArrowUp',
  'Enter',
  'Escape',
  'KeyC',
  'KeyF',
  'KeyV',
  'AbortError',
  'Content-Type',
]);

// Calls whose string arguments are code, never text: selectors, ids, event names, element
// names, attribute names, URLs, classes.
const codeCalls = new Set([
  'querySelector',
  'querySelectorAll',
  'closest',
  'getElementById',
  'addEventListener',
  'removeEventListener',
  'createElement',
  'createElementNS',
  'getAttribute',
  'removeAttribute',
  'toggleAttribute',
  'hasAttribute',
  'matches',
  'on',
  'select',
  'selectAll',
  'toggleClass',
  'classed',
  'fetch',
  'callApi',
  'registerChart',
  'subscribe',
  'startsWith',
  'endsWith',
  'includes',
  'split',
  'join',
  'replace',
  'normalize',
  'assign',
]);

// Object properties whose string values are code.
const codeProperties = new Set([
  'fontFamily',
  'className',
  'type',
  'rel',
  'target',
  'href',
  'id',
  'scope',
  'credentials',
  'method',
]);

// Whether a piece of a template literal reads as words: as a literal, or a word that an
// interpolation continues ("${count} selected", "the account ${login}").
function quasiReadsAsWords(text: string): boolean {
  return readsAsWords(text) || /^[ \u00a0]+\p{L}{2,}|\p{L}{2,}[ \u00a0]+$/u.test(text);
}

// Whether a literal reads as words a person would see: a letter word and a second word after
// a space, or a capitalised word, or a sentence's end.
function readsAsWords(text: string): boolean {
  if (!/\p{L}{2}/u.test(text)) return false;
  return (
    /\p{L}{2,}[ \u00a0]+[\p{L}(]/u.test(text) ||
    /^\s*\p{Lu}\p{Ll}/u.test(text) ||
    /\p{L}{2}[.…!?:]\s*$/u.test(text) ||
    /^\s*[:;,]\s+\p{L}/u.test(text)
  );
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };

interface Found {
  keys: { key: string; where: string }[];
  words: { text: string; where: string }[];
}

// Walks an ESTree tree, calling `visit` with each node and its parent and property.
function walk(
  node: unknown,
  visit: (node: Node, parent: Node | null, field: string) => void,
  parent: Node | null = null,
  field = '',
): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit, parent, field);
    return;
  }
  if (!node || typeof node !== 'object' || typeof (node as Node).type !== 'string') return;
  visit(node as Node, parent, field);
  for (const [key, value] of Object.entries(node))
    if (value && typeof value === 'object') walk(value, visit, node as Node, key);
}

// The name a call is made through: t(...) → "t", a.b.closest(...) → "closest".
function getCalleeName(call: Node): string {
  const callee = call.callee as Node;
  if (callee.type === 'Identifier') return callee.name as string;
  if (callee.type === 'MemberExpression' && (callee.property as Node).type === 'Identifier')
    return (callee.property as Node).name as string;
  return '';
}

// The keys of t(...) calls and the word-like literals of one source file.
function scanSource(file: string, code: string): Found {
  const found: Found = { keys: [], words: [] };
  const lineOf = (offset: number) => `${file}:${code.slice(0, offset).split('\n').length}`;
  // Parents of each node, to look up from a literal to the call or property that holds it.
  const parents = new Map<Node, { parent: Node | null; field: string }>();
  const program = parseAst(code, { lang: 'ts' }, file) as unknown as Node;
  walk(program, (node, parent, field) => parents.set(node, { parent, field }));
  const isCode = (literal: Node): boolean => {
    const { parent, field } = parents.get(literal)!;
    if (!parent) return false;
    if (['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'TSLiteralType'].includes(parent.type))
      return true;
    if (parent.type === 'Property' && field === 'key') return true;
    if (parent.type === 'Property' && field === 'value') {
      const key = parent.key as Node;
      return key.type === 'Identifier' && codeProperties.has(key.name as string);
    }
    if (parent.type === 'MemberExpression' && field === 'property') return true;
    if (parent.type === 'BinaryExpression' && ['===', '!=='].includes(parent.operator as string)) return true;
    if (parent.type === 'SwitchCase') return true;
    if (parent.type === 'CallExpression' && field === 'arguments') {
      const name = getCalleeName(parent);
      // The console is for developers.
      const callee = parent.callee as Node;
      if (callee.type === 'MemberExpression' && (callee.object as Node).type === 'Identifier')
        if ((callee.object as Node).name === 'console') return true;
      const index = (parent.arguments as Node[]).indexOf(literal);
      if (codeCalls.has(name)) return true;
      // The attribute's name (its value is checked), a style's property, d3's element names.
      if (['setAttribute', 'attr', 'style', 'prop', 'append', 'insert'].includes(name) && index === 0) return true;
      if (name === '$') return true;
    }
    return false;
  };
  walk(program, (node, parent, field) => {
    if (node.type === 'CallExpression' && getCalleeName(node) === 't' && (node.callee as Node).type === 'Identifier') {
      const [first] = node.arguments as Node[];
      if (first?.type === 'Literal' && typeof first.value === 'string')
        found.keys.push({ key: first.value, where: lineOf(node.start) });
      else found.words.push({ text: '<a t() key that is not a literal>', where: lineOf(node.start) });
      return;
    }
    if (node.type === 'Literal' && typeof node.value === 'string') {
      if (parent?.type === 'CallExpression' && getCalleeName(parent) === 't' && field === 'arguments') return;
      if (readsAsWords(node.value) && !notShown.has(node.value) && !isCode(node))
        found.words.push({ text: node.value, where: lineOf(node.start) });
    }
    if (node.type === 'TemplateLiteral') {
      if (isCode(node)) return;
      for (const quasi of node.quasis as Node[]) {
        const text = (quasi.value as { cooked: string }).cooked;
        if (quasiReadsAsWords(text) && !notShown.has(text.trim()))
          found.words.push({ text, where: lineOf(quasi.start) });
      }
    }
  });
  return found;
}

// Every .ts file under web/.
async function listSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

// Every key of a catalogue, dotted, with its text.
function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') keys.set(prefix + key, value);
    else for (const [inner, text] of flatten(value, `${prefix}${key}.`)) keys.set(inner, text);
  }
  return keys;
}

// A key as code uses it: plural forms (_one, _other…) are one key.
const baseKey = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');

async function scanWeb(): Promise<Found> {
  const all: Found = { keys: [], words: [] };
  // web/build.ts is the build script, run by Node, not part of the bundle.
  for (const path of await listSources(join(projectDir, 'web'))) {
    if (path.endsWith('/web/build.ts')) continue;
    const found = scanSource(relative(projectDir, path), await readFile(path, 'utf8'));
    all.keys.push(...found.keys);
    all.words.push(...found.words);
  }
  return all;
}

describe("the browser's words", () => {
  it('are all t() calls with keys: no literal shown to a person in web/**/*.ts', async () => {
    const { words } = await scanWeb();
    expect(words.map(({ text, where }) => `${where}: ${JSON.stringify(text)}`)).toEqual([]);
  });

  it('catch a literal written into the page (the scan is not blind)', () => {
    const code = [
      "el.textContent = 'Saved';",
      'notify(`Group ${name} created`);',
      "button.setAttribute('aria-label', 'Close the dialog');",
      "$('#x').attr('title', 'Delete this account').text(`${count} selected`);",
      "const labels = { live: 'live', ended: 'Session ended' };",
      "el.textContent = t('save.saved'); el.className = 'button button-quiet'; el.closest('form[data-x] input');",
    ].join('\n');
    const { words, keys } = scanSource('example.ts', code);
    expect(words.map(({ text }) => text)).toEqual([
      'Saved',
      'Group ',
      ' created',
      'Close the dialog',
      'Delete this account',
      ' selected',
      'Session ended',
    ]);
    expect(keys.map(({ key }) => key)).toEqual(['save.saved']);
  });

  it('use keys that both catalogues have, and every key of the catalogue is used', async () => {
    const { keys } = await scanWeb();
    const used = new Set(keys.map(({ key }) => key));
    for (const locale of locales) {
      const known = new Set([...flatten(catalogues[locale].browser).keys()].map(baseKey));
      const missing = keys.filter(({ key }) => !known.has(key)).map(({ key, where }) => `${where}: ${key}`);
      expect(missing, `keys missing from ${locale}/browser.json`).toEqual([]);
    }
    // language.name names the language in a language menu (the pages' choice of language).
    const unused = [...new Set([...flatten(catalogues.en.browser).keys()].map(baseKey))].filter(
      (key) => !used.has(key) && key !== 'language.name',
    );
    expect(unused, 'keys of browser.json that no code uses').toEqual([]);
  });

  it('are French in French, with French typography', () => {
    const english = flatten(catalogues.en.browser);
    // Words French shares with English.
    const same = new Set(['events.pause']);
    const problems: string[] = [];
    for (const [key, text] of flatten(catalogues.fr.browser)) {
      const words = text.replace(/\{\{[^}]*\}\}/g, '');
      if (/\p{L}{2}/u.test(words) && text === english.get(key) && !same.has(key))
        problems.push(`${key}: the English text "${text}"`);
      // A non-breaking space (or a narrow one) before : ; ! ? and inside « », never a plain one.
      if (/(?:[^\u00a0\u202f]|^)[;!?]|[^\u00a0\u202f/]:(?!\/)/u.test(words))
        problems.push(`${key}: no non-breaking space before a « : ; ! ? » in "${text}"`);
      if (/["“”]/.test(text)) problems.push(`${key}: English quotation marks in "${text}" (French writes « »)`);
    }
    expect(problems).toEqual([]);
  });
});
