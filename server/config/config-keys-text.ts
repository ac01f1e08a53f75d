// The configuration keys as text for people: the README's list and `licornd --help`, both
// rendered from config-keys.ts so that neither can drift from what the daemon accepts.
import { type ConfigKey, getEnvName, getFlagName } from './config-key.ts';
import { configKeys } from './config-keys.ts';

// Markers around the README's generated list; `npm run readme:config` rewrites what is between.
export const readmeKeysStart =
  '<!-- config keys: generated from server/config/config-keys.ts by npm run readme:config -->';
export const readmeKeysEnd = '<!-- end of the config keys -->';

// A key's default as it is written in the TOML file.
export function formatConfigDefault(spec: ConfigKey): string {
  return Array.isArray(spec.default)
    ? `[${spec.default.map((v) => JSON.stringify(v)).join(', ')}]`
    : JSON.stringify(spec.default);
}

// The words of a Markdown text, a code span with its spaces kept as one word.
function splitWords(text: string): string[] {
  return text.match(/(?:`[^`]*`|[^ `])+/g) ?? [];
}

// Words laid into lines of at most `width` characters (a longer word gets its own line): the
// first line starts with `first`, the others with `indent`.
function wrapWords(first: string, words: string[], indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of words) {
    const isBlank = line.trim() === '';
    const joined = isBlank ? line + word : `${line} ${word}`;
    if (joined.length > width && !isBlank) {
      lines.push(line);
      line = indent + word;
    } else line = joined;
  }
  lines.push(line);
  return lines;
}

// The README's list of keys (Markdown), one item per key, lines of at most 100 characters.
export function renderConfigKeysMarkdown(keys: readonly ConfigKey[] = configKeys): string {
  const items = keys.map((spec) => {
    const names = [spec.key, `--${getFlagName(spec.key)}`, getEnvName(spec.key)].map((name) => `\`${name}\``);
    const head = `${names[0]} (${names[1]}, ${names[2]}, default \`${formatConfigDefault(spec)}\`):`;
    return wrapWords('-', splitWords(`${head} ${spec.description.join(' ')}`), '  ', 100).join('\n');
  });
  return [readmeKeysStart, '', ...items, '', readmeKeysEnd].join('\n');
}

// `licornd --help`: the usage line, then each key's flag, variable, default and meaning.
export function renderConfigKeysHelp(keys: readonly ConfigKey[] = configKeys): string {
  const lines = [
    'usage: licornd [--config FILE] [--KEY VALUE ...]',
    '       licornd install [--KEY VALUE ...]',
    '',
    'Keys come from /etc/licorn/licorn.conf (TOML), then LICORN_* variables, then flags.',
  ];
  for (const spec of keys) {
    lines.push(
      '',
      `  --${getFlagName(spec.key)}  (${spec.key}, ${getEnvName(spec.key)}, default ${formatConfigDefault(spec)})`,
    );
    lines.push(...wrapWords('      ', spec.description.join(' ').replaceAll('`', '').split(' '), '      ', 80));
  }
  return `${lines.join('\n')}\n`;
}
