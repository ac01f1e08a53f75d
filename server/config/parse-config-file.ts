import { parse as parseToml } from 'smol-toml';

// Old Licorn files were Python-flavoured: `mount_all_fs = True`. TOML only knows true/false,
// so a bare True/False value (outside quotes, optionally followed by a comment) is lowered.
const pythonBoolean = /^(\s*[A-Za-z0-9_."'-]+\s*=\s*)(True|False)(\s*(?:#.*)?)$/gm;

// Parses the text of a licorn.conf into flat dotted keys (`tls.cert`) and their raw values.
export function parseConfigFile(text: string): Map<string, unknown> {
  const table = parseToml(
    text.replace(pythonBoolean, (_m, head: string, word: string, tail: string) => head + word.toLowerCase() + tail),
  );
  const flat = new Map<string, unknown>();
  flatten(table, '', flat);
  return flat;
}

function flatten(table: Record<string, unknown>, prefix: string, into: Map<string, unknown>): void {
  for (const [name, value] of Object.entries(table)) {
    const key = prefix + name;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      flatten(value as Record<string, unknown>, key + '.', into);
    } else {
      into.set(key, value);
    }
  }
}
