import type { FilesystemProbe } from '../../server/core/volumes/parse-blkid.ts';

// What `blkid -p -o udev` prints, read as the core read it before it probed in-process: the
// reference the in-process probe is compared with (test/core/volumes/probe-filesystem.test.ts).

// `\xNN` escapes of the udev format back to the label's bytes, then to text. Bytes that are
// not UTF-8 become U+FFFD (shown as such, never used raw in a path).
function decodeEncoded(text: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const hex = /^\\x([0-9a-fA-F]{2})/.exec(text.slice(index, index + 4));
    if (hex) {
      bytes.push(Number.parseInt(hex[1]!, 16));
      index += 3;
    } else {
      bytes.push(...Buffer.from(text[index]!, 'utf8'));
    }
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bytes));
}

// Parses `blkid -p -o udev` output. The udev format is used rather than `-o export` because its
// *_ENC values escape every unsafe byte as \xNN: a label holding a newline, a backslash or
// invalid UTF-8 cannot break the line format or smuggle another key (export prints ^J).
export function parseBlkidUdev(output: string): FilesystemProbe {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const equal = line.indexOf('=');
    if (equal > 0) values.set(line.slice(0, equal), line.slice(equal + 1));
  }
  const encoded = (key: string) => {
    const value = values.get(`${key}_ENC`);
    return value === undefined ? null : decodeEncoded(value);
  };
  // A FAT volume without a root-directory label still has the boot sector's one.
  const label = encoded('ID_FS_LABEL') ?? encoded('ID_FS_LABEL_FATBOOT');
  return {
    fsType: values.get('ID_FS_TYPE') || null,
    usage: values.get('ID_FS_USAGE') || null,
    label: label || null,
    uuid: encoded('ID_FS_UUID') || null,
    partUuid: values.get('ID_PART_ENTRY_UUID') || null,
    partLabel: encoded('ID_PART_ENTRY_NAME') || null,
  };
}
