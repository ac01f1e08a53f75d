// Texts of one catalogue namespace made from cached shapes, for the pages (server) and for the
// browser's own words: i18next's t() costs 20-100 µs a call, and a page of 100 account rows
// asks for 500 texts, the Status page for some fifty a second, most the same as before.

// Where a namespace's texts come from, and how they are escaped for where they go.
export interface TextSource {
  // The key's text as the language's catalogue holds it (no fallback, no interpolation).
  getSource(locale: string, key: string): string | undefined;
  // i18next's text for these options.
  translate(locale: string, key: string, options: Record<string, unknown>): string;
  // Applied to the text and to each string option (HTML for pages, nothing for the DOM).
  escape(text: string): string;
}

// Options that change which text i18next picks or how it writes it: never filled in as
// strings (a number, `count`, is part of a shape's identity instead).
const i18nextOptions = new Set([
  'count',
  'context',
  'ordinal',
  'lng',
  'lngs',
  'ns',
  'fallbackLng',
  'defaultValue',
  'returnObjects',
  'returnDetails',
  'joinArrays',
  'postProcess',
  'replace',
  'interpolation',
  'skipInterpolation',
  'keyPrefix',
  'nsSeparator',
  'keySeparator',
]);

const placeholder = /\{\{\s*([^{},]*?)\s*(,[^{}]*)?\}\}|\$t\(/g;
const pluralSuffixes = ['', '_zero', '_one', '_two', '_few', '_many', '_other'];
const maxShapes = 4096;

// A text's shape: escaped pieces, and for each string option its index among the option
// names (odd items); null when it cannot be made (a string formatted, a nesting).
type Shape = (string | number)[] | null;

// The function writing `key` with `options` in `locale` from cached shapes, as `source`'s
// i18next would write it escaped. A shape is kept per language, key, option names and the
// numbers and booleans (a plural, "10,040 accounts"); string options are filled in (the
// select box's "Select {{login}}" on every row). Bounded: the numbers vary (a pager's count).
export function createShapedTexts(source: TextSource) {
  const shapes = new Map<string, Shape>();

  // The shape for these options, or null.
  function getShape(locale: string, key: string, names: string[], options: Record<string, unknown>): Shape {
    const strings = names.filter((name) => typeof options[name] === 'string');
    // Without strings the text is fixed by the shape's identity: kept whole, whatever it nests.
    if (strings.length === 0) return [source.escape(source.translate(locale, key, options))];
    const texts = pluralSuffixes
      .map((suffix) => source.getSource(locale, key + suffix))
      .filter((text) => text !== undefined);
    if (texts.length === 0) return null;
    for (const text of texts)
      for (const [found, name, format] of text.matchAll(placeholder))
        if (found === '$t(' || (format && typeof options[name!] === 'string')) return null;
    const marked = Object.fromEntries(
      names.map((name, index) => [name, typeof options[name] === 'string' ? `\u0001${index}\u0001` : options[name]]),
    );
    const text = source.escape(source.translate(locale, key, marked));
    return text.split(/\u0001(\d+)\u0001/).map((piece, index) => (index % 2 === 1 ? Number(piece) : piece));
  }

  return function writeText(locale: string, key: string, options: Record<string, unknown> = {}): string {
    const names = Object.keys(options);
    let id = `${locale}\u0000${key}`;
    let cacheable = true;
    for (const name of names) {
      const value = options[name];
      const type = typeof value;
      if (type === 'number' || type === 'boolean') id += `\u0000${name}=${type[0]}${String(value)}`;
      else if (type === 'string' && !i18nextOptions.has(name)) id += `\u0000${name}`;
      else cacheable = false;
    }
    if (!cacheable) return source.escape(source.translate(locale, key, options));
    let shape = shapes.get(id);
    if (shape === undefined) {
      shape = getShape(locale, key, names, options);
      if (shapes.size >= maxShapes) shapes.clear();
      shapes.set(id, shape);
    }
    if (shape === null) return source.escape(source.translate(locale, key, options));
    let text = '';
    for (let index = 0; index < shape.length; index += 1) {
      const piece = shape[index]!;
      text += typeof piece === 'number' ? source.escape(options[names[piece]!] as string) : piece;
    }
    return text;
  };
}
