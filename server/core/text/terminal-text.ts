// What a terminal must never receive from the daemon's data: C0 controls (ESC starts CSI, OSC
// — OSC 52 writes the clipboard — and DCS sequences), DEL, C1 controls (U+009B is a CSI by
// itself), format characters (bidi overrides and isolates, zero-widths) and the line and
// paragraph separators. A full name, a volume label, a mount point, a message or a file name a
// member chose in a share may hold any of them (written by another tool, a USB stick's label, a
// remote daemon). The CLI's output and the daemon's own log lines go through it.
const unsafe = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const unsafeBut = { newline: /[\0-\t\v-\x1f\x7f-\x9f\p{Cf}\u2028\u2029]/gu };

// `text` safe for a terminal: each unsafe character shown as a visible escape (`\x1b`,
// `\u202e`), as ls and systemctl do. In the CLI every string from the daemon goes through it
// before it is printed (tables, records, status, event lines, messages), before our own colours.
// `keepNewlines` keeps `\n` (a multi-line message); a table cell never keeps one.
export function getTerminalText(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(options.keepNewlines ? unsafeBut.newline : unsafe, escapeCharacter);
}

function escapeCharacter(character: string): string {
  const code = character.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`;
}

// Characters a JSON string may hold raw but a terminal acts on (DEL, C1, bidi and other
// format characters, the line separators): JSON.stringify leaves them as they are.
const unsafeInJson = /[\x7f-\x9f\p{Cf}\u2028\u2029]/gu;

// JSON text with those characters written as \u escapes: the same JSON value (they can only
// sit inside strings), safe to print (`--json`). C0 controls are escaped by JSON already.
export function getTerminalJson(json: string): string {
  return json.replace(unsafeInJson, (character) => {
    const code = character.codePointAt(0)!;
    if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
    // A format character beyond the BMP (tags U+E0001…) as its surrogate pair, as JSON spells it.
    const high = Math.floor((code - 0x10000) / 0x400) + 0xd800;
    const low = ((code - 0x10000) % 0x400) + 0xdc00;
    return `\\u${high.toString(16)}\\u${low.toString(16)}`;
  });
}
