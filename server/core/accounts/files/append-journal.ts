import { createHash } from 'node:crypto';
import {
  close,
  closeSync,
  fdatasync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { syncDirectory } from './write-account-file.ts';

// The undo journal of an in-place append (append-account-files.ts): for each file, its name
// under etc/, its size before and the bytes appended (its device and inode: a hint only).
// Written and synced before the first byte is appended, emptied once every file is synced:
// a journal found with content means an append may have stopped halfway, and
// recoverAppendJournal brings every file it names back to all-before or keeps all-after.
export const appendJournalPath = 'licorn/append-journal';

// One file of an append.
export interface AppendEntry {
  // Under etc/: with the size and bytes, what names the file (the root may be copied).
  name: string;
  dev: bigint;
  ino: bigint;
  size: number;
  bytes: Buffer;
}

const magic = 'licorn-append-journal 1';

const syncData = (fd: number) =>
  new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

// Opens the journal for writing, making it (and syncing its directory) the first time: the
// file stays, empty between appends, so that writing it is one write and one fdatasync.
export async function openAppendJournal(etcDir: string): Promise<number> {
  const path = join(etcDir, appendJournalPath);
  const existed = statSync(path, { throwIfNoEntry: false }) !== undefined;
  const fd = openSync(path, existed ? 'r+' : 'w+', 0o600);
  if (!existed) {
    try {
      await syncData(fd);
      await syncDirectory(dirname(path));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }
  return fd;
}

// Writes the journal of an append (one write) and waits until it is on the disk.
export async function writeAppendJournal(fd: number, entries: readonly AppendEntry[]): Promise<void> {
  const body = JSON.stringify(
    entries.map((entry) => ({
      name: entry.name,
      dev: String(entry.dev),
      ino: String(entry.ino),
      size: entry.size,
      bytes: entry.bytes.toString('base64'),
    })),
  );
  const text = Buffer.from(`${magic} ${createHash('sha256').update(body).digest('hex')}\n${body}`, 'utf8');
  ftruncateSync(fd, 0);
  for (let offset = 0; offset < text.length; ) offset += writeSync(fd, text, offset, text.length - offset, offset);
  await syncData(fd);
}

// Empties the journal: the append is complete. Synced in the background: until then a crash
// leaves the journal, and its files, all holding their bytes, are kept as they are.
export function clearAppendJournal(fd: number): void {
  ftruncateSync(fd, 0);
  fdatasync(fd, () => close(fd, () => {}));
}

// Whether a journal with content is there (an append did not finish): stat only.
export function hasAppendJournal(etcDir: string): boolean {
  return (statSync(join(etcDir, appendJournalPath), { throwIfNoEntry: false })?.size ?? 0) > 0;
}

// The entries of a journal, or null when it is empty or torn (then it was never synced,
// and no append had started).
export function parseAppendJournal(text: Buffer): AppendEntry[] | null {
  const newline = text.indexOf(10);
  if (newline === -1) return null;
  const [head, body] = [text.subarray(0, newline).toString('utf8'), text.subarray(newline + 1).toString('utf8')];
  if (head !== `${magic} ${createHash('sha256').update(body).digest('hex')}`) return null;
  const raw = JSON.parse(body) as { name: string; dev: string; ino: string; size: number; bytes: string }[];
  return raw.map((entry) => ({
    name: entry.name,
    dev: BigInt(entry.dev),
    ino: BigInt(entry.ino),
    size: entry.size,
    bytes: Buffer.from(entry.bytes, 'base64'),
  }));
}

// Where a file stands against its entry: without the bytes, with all of them, with a part
// of them (a crash during the write: bytes missing may read as zeros), or changed by
// someone else since (other bytes at its end): then it is left alone. A file is known by
// its name and its content, not by its device and inode: a disk found under another
// number after a reboot, or a root restored from a copy, holds the same files.
type Standing = 'before' | 'after' | 'torn' | 'foreign';

function getStanding(fd: number, entry: AppendEntry): Standing {
  const size = Number(fstatSync(fd, { bigint: true }).size);
  if (size === entry.size) return 'before';
  if (size < entry.size || size > entry.size + entry.bytes.length) return 'foreign';
  const tail = Buffer.alloc(size - entry.size);
  for (let offset = 0; offset < tail.length; ) {
    const read = readSync(fd, tail, offset, tail.length - offset, entry.size + offset);
    if (read === 0) return 'foreign';
    offset += read;
  }
  if (tail.length === entry.bytes.length && tail.equals(entry.bytes)) return 'after';
  for (let index = 0; index < tail.length; index += 1)
    if (tail[index] !== 0 && tail[index] !== entry.bytes[index]) return 'foreign';
  return 'torn';
}

// Whether a file is no longer the one the journal saw (a hint, said in the log only).
function hasMoved(fd: number, entry: AppendEntry): boolean {
  const info = fstatSync(fd, { bigint: true });
  return info.dev !== entry.dev || info.ino !== entry.ino;
}

// Finishes what a journal left (call under the files' locks): if every file it names still
// holds all its bytes, nothing changes; otherwise each file that holds some or all of them
// is truncated back to its size before, and synced. Files replaced or changed by someone
// else since are left alone. Then the journal is emptied. Returns what was done, or null.
export async function recoverAppendJournal(etcDir: string): Promise<string | null> {
  const path = join(etcDir, appendJournalPath);
  const text = readFileSync(path);
  if (text.length === 0) return null;
  const entries = parseAppendJournal(text);
  const files: { entry: AppendEntry; fd: number; standing: Standing }[] = [];
  try {
    for (const entry of entries ?? []) {
      let fd: number;
      try {
        fd = openSync(join(etcDir, entry.name), 'r+');
      } catch {
        continue;
      }
      files.push({ entry, fd, standing: getStanding(fd, entry) });
    }
    const ours = files.filter((file) => file.standing !== 'foreign');
    const complete = ours.length > 0 && ours.every((file) => file.standing === 'after');
    const undone = complete ? [] : ours.filter((file) => file.standing !== 'before');
    for (const file of undone) ftruncateSync(file.fd, file.entry.size);
    await Promise.all(undone.map((file) => syncData(file.fd)));
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, 0);
      await syncData(fd);
    } finally {
      closeSync(fd);
    }
    if (entries === null) return null;
    const names = (standing: Standing) => files.filter((file) => file.standing === standing).map((f) => f.entry.name);
    const all = entries.map((entry) => entry.name).join(', ');
    const moved = files.filter((file) => hasMoved(file.fd, file.entry)).map((file) => file.entry.name);
    const seen =
      moved.length > 0 ? ` (${moved.join(', ')} under another device or inode: found by name and content)` : '';
    if (ours.length === 0) return `an append to ${all}: nothing of it found (changed since); left alone${seen}`;
    return complete
      ? `an append to ${all} was complete; kept${seen}`
      : `an append to ${all} stopped halfway: ` +
          `${undone.map((file) => file.entry.name).join(', ') || 'nothing'} truncated back` +
          (names('foreign').length > 0 ? `; ${names('foreign').join(', ')} changed since, left alone` : '') +
          seen;
  } finally {
    for (const file of files) closeSync(file.fd);
  }
}
