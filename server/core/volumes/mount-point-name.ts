// Longest name kept, in UTF-8 bytes: a 255-byte label would leave no room for a suffix
// under NAME_MAX (255), and such names are unreadable anyway.
const maxNameBytes = 100;

// Cuts text to at most `limit` UTF-8 bytes without splitting a character.
function cutToBytes(text: string, limit: number): string {
  let bytes = 0;
  let out = '';
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > limit) break;
    out += char;
  }
  return out;
}

// Makes a label safe as one path component under the media directory: letters and digits of
// any script, `-`, `_`, `.`, `+`, `@`; anything else (/, \, spaces, control characters,
// U+FFFD from invalid UTF-8) becomes `_`. No leading dot (`.`, `..`, hidden names), at most
// 100 bytes. Empty when nothing usable is left.
export function getSafeName(label: string | null): string {
  if (!label) return '';
  const replaced = label
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\p{M}._+@-]/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^[._]+/, '')
    .replace(/_+$/, '');
  return cutToBytes(replaced, maxNameBytes);
}

// The mount point's base name: the label made safe, else the UUID made safe, else the kernel
// name (always safe: the schema's pattern, no leading dot since sysfs names never start so).
export function getMountName(label: string | null, uuid: string | null, name: string): string {
  return getSafeName(label) || getSafeName(uuid) || name;
}

// The first of `base`, `base-2`, `base-3`… that `isFree` accepts.
export async function chooseFreeName(base: string, isFree: (name: string) => Promise<boolean>): Promise<string> {
  for (let index = 1; index <= 1000; index += 1) {
    const candidate = index === 1 ? base : `${base}-${index}`;
    if (await isFree(candidate)) return candidate;
  }
  throw new Error(`no free mount point name for ${base}`);
}
