import { createHash } from 'node:crypto';
import {
  close,
  closeSync,
  constants,
  fdatasync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { databasePaths } from '../account-database.ts';
import { syncDirectory } from './write-account-file.ts';

const databaseDescriptions = databasePaths.descriptions;

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

// The journal is licornd's own file: never followed through a link, never another kind of
// file, another owner's or one with another name (only root can put one there, but a bad
// one must neither be written through nor stop licornd from starting).
const openFlags = constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK;
// A real journal holds at most 7 entries of a few hundred bytes.
const maxJournalSize = 64 * 1024;

// Why an open journal is not one we can trust, or null.
function getJournalProblem(fd: number): string | null {
  const info = fstatSync(fd);
  if (!info.isFile()) return 'not a regular file';
  if (info.uid !== (process.geteuid?.() ?? 0)) return `owned by uid ${info.uid}`;
  if (info.nlink !== 1) return `${info.nlink} links`;
  if (info.size > maxJournalSize) return `${info.size} bytes`;
  return null;
}

// Opens the journal (read and write), or says why it cannot be trusted.
function openJournal(path: string): { fd: number } | { problem: string } | null {
  let fd: number;
  try {
    fd = openSync(path, openFlags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') return { problem: 'a symbolic link' };
    throw error;
  }
  const problem = getJournalProblem(fd);
  if (problem === null) return { fd };
  closeSync(fd);
  return { problem };
}

// Moves a journal that cannot be trusted aside (append-journal.bad); returns what to log.
function moveJournalAside(path: string, problem: string): string {
  renameSync(path, `${path}.bad`);
  return `the append journal was ${problem}: moved aside to ${appendJournalPath}.bad, not followed`;
}

// Opens the journal for writing, making it (and syncing its directory) the first time: the
// file stays, empty between appends, so that writing it is one write and one fdatasync.
export async function openAppendJournal(etcDir: string): Promise<number> {
  const path = join(etcDir, appendJournalPath);
  const opened = openJournal(path);
  if (opened !== null && 'fd' in opened) return opened.fd;
  if (opened !== null) process.emitWarning(`licornd: ${moveJournalAside(path, opened.problem)}`);
  const fd = openSync(path, openFlags | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await syncData(fd);
    await syncDirectory(dirname(path));
  } catch (error) {
    closeSync(fd);
    throw error;
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

// Whether a journal with content is there (an append did not finish), or something else in
// its place (moved aside by the recovery): lstat only.
export function hasAppendJournal(etcDir: string): boolean {
  const info = lstatSync(join(etcDir, appendJournalPath), { throwIfNoEntry: false });
  return info !== undefined && (!info.isFile() || info.size > 0);
}

// The files a journal may name, under etc/: no other path is ever opened from it.
const accountFileNames = new Set(['passwd', 'shadow', 'group', 'gshadow', 'subuid', 'subgid', databaseDescriptions]);
const digits = /^[0-9]{1,20}$/;
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

// The entries of a journal, or null when it is empty or torn (then it was never synced,
// and no append had started). Throws when it is whole but not one licornd writes.
export function parseAppendJournal(text: Buffer): AppendEntry[] | null {
  const newline = text.indexOf(10);
  if (newline === -1) return null;
  const [head, body] = [text.subarray(0, newline).toString('utf8'), text.subarray(newline + 1).toString('utf8')];
  if (head !== `${magic} ${createHash('sha256').update(body).digest('hex')}`) return null;
  const raw: unknown = JSON.parse(body);
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > accountFileNames.size) throw new Error('not a list');
  const names = new Set<string>();
  return raw.map((entry: Record<string, unknown>) => {
    const { name, dev, ino, size, bytes } = entry ?? {};
    if (typeof name !== 'string' || !accountFileNames.has(name) || names.has(name)) throw new Error('a bad name');
    names.add(name);
    if (typeof dev !== 'string' || !digits.test(dev) || typeof ino !== 'string' || !digits.test(ino))
      throw new Error(`a bad device or inode for ${name}`);
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new Error(`a bad size for ${name}`);
    if (typeof bytes !== 'string' || !base64.test(bytes) || bytes.length === 0 || bytes.length > 8192)
      throw new Error(`bad bytes for ${name}`);
    return { name, dev: BigInt(dev), ino: BigInt(ino), size, bytes: Buffer.from(bytes, 'base64') };
  });
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
  const opened = openJournal(path);
  if (opened === null) return null;
  if ('problem' in opened) return moveJournalAside(path, opened.problem);
  const journal = opened.fd;
  let entries: AppendEntry[] | null;
  try {
    const text = Buffer.alloc(fstatSync(journal).size);
    for (let offset = 0; offset < text.length; ) {
      const read = readSync(journal, text, offset, text.length - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    if (text.length === 0) {
      closeSync(journal);
      return null;
    }
    entries = parseAppendJournal(text);
  } catch (error) {
    closeSync(journal);
    return moveJournalAside(path, `not valid (${(error as Error).message})`);
  }
  const files: { entry: AppendEntry; fd: number; standing: Standing }[] = [];
  try {
    for (const entry of entries ?? []) {
      let fd: number;
      try {
        // Never through a link: a file replaced by one is not the one appended to.
        fd = openSync(join(etcDir, entry.name), openFlags);
      } catch {
        continue;
      }
      if (!fstatSync(fd).isFile()) {
        closeSync(fd);
        continue;
      }
      files.push({ entry, fd, standing: getStanding(fd, entry) });
    }
    const ours = files.filter((file) => file.standing !== 'foreign');
    const complete = ours.length > 0 && ours.every((file) => file.standing === 'after');
    const undone = complete ? [] : ours.filter((file) => file.standing !== 'before');
    for (const file of undone) ftruncateSync(file.fd, file.entry.size);
    await Promise.all(undone.map((file) => syncData(file.fd)));
    ftruncateSync(journal, 0);
    await syncData(journal);
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
    closeSync(journal);
  }
}
