// One line of /proc/self/mountinfo: where a filesystem is mounted and how.
export interface MountEntry {
  id: number;
  parentId: number;
  // The device number as the kernel reports it ("254:0"; an anonymous "0:45" for btrfs).
  dev: string;
  mountPoint: string;
  // Per-mount options (rw,nodev,…) then the filesystem's own (errors=remount-ro,…).
  mountOptions: string;
  fsType: string;
  source: string;
  superOptions: string;
}

// The kernel writes space, tab, newline and backslash in paths as octal escapes (\040…).
export function decodeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

// Parses the text of /proc/<pid>/mountinfo; malformed lines are skipped (never thrown on:
// the kernel wrote it, a partial read is the only way to get a short line).
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    // Optional fields (shared:N, master:N…) end at a lone "-".
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || fields.length < separator + 3) continue;
    entries.push({
      id: Number(fields[0]),
      parentId: Number(fields[1]),
      dev: fields[2]!,
      mountPoint: decodeMountPath(fields[4]!),
      mountOptions: fields[5]!,
      fsType: fields[separator + 1]!,
      source: decodeMountPath(fields[separator + 2]!),
      superOptions: fields[separator + 3] ?? '',
    });
  }
  return entries;
}

// Device names listed in /proc/swaps (header line skipped; paths decoded like mountinfo's).
export function parseSwaps(text: string): string[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => decodeMountPath(line.split(/\s+/)[0] ?? ''))
    .filter((path) => path.startsWith('/'));
}

// What an fstab line names as its device: a path, or a tag (UUID=, LABEL=, PARTUUID=…).
export interface FstabSource {
  tag: 'path' | 'UUID' | 'LABEL' | 'PARTUUID' | 'PARTLABEL';
  value: string;
  mountPoint: string;
}

// Parses etc/fstab into the devices it names (comments and blank lines skipped).
export function parseFstab(text: string): FstabSource[] {
  const sources: FstabSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [spec = '', mountPoint = ''] = line.split(/\s+/).map(decodeMountPath);
    const tagged = /^(UUID|LABEL|PARTUUID|PARTLABEL)=(.*)$/.exec(spec);
    if (tagged) {
      const value = tagged[2]!.replace(/^"(.*)"$/, '$1');
      sources.push({ tag: tagged[1] as FstabSource['tag'], value, mountPoint });
    } else if (spec.startsWith('/')) {
      sources.push({ tag: 'path', value: spec, mountPoint });
    }
  }
  return sources;
}
