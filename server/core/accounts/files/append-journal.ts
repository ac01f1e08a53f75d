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
import { stageAccountFile, syncDirectory } from './write-account-file.ts';

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
// of them (a crash during the write: bytes missing may read as zeros), holding them as a
// line among others' (a shadow-utils run since copied them into its new file), or changed
// by someone else since (none of our bytes): then it is left alone. A file is known by its
// name and its content, not by its device and inode: a disk found under another number
// after a reboot, or a root restored from a copy, holds the same files.
type Standing = 'before' | 'after' | 'torn' | 'held' | 'foreign';

// `count` bytes of a file from `position`, fewer at its end.
function readAt(fd: number, count: number, position: number): Buffer {
  const buffer = Buffer.alloc(count);
  let offset = 0;
  while (offset < count) {
    const read = readSync(fd, buffer, offset, count - offset, position + offset);
    if (read === 0) break;
    offset += read;
  }
  return buffer.subarray(0, offset);
}

// Where our bytes are in a file, as whole lines (first at the size before), or -1.
function findHeld(content: Buffer, entry: AppendEntry): number {
  if (content.subarray(entry.size, entry.size + entry.bytes.length).equals(entry.bytes)) return entry.size;
  for (let at = content.indexOf(entry.bytes); at !== -1; at = content.indexOf(entry.bytes, at + 1))
    if (at === 0 || content[at - 1] === 10) return at;
  return -1;
}

function getStanding(fd: number, entry: AppendEntry): { standing: Standing; content?: Buffer; at?: number } {
  const size = Number(fstatSync(fd, { bigint: true }).size);
  if (size === entry.size) return { standing: 'before' };
  if (size > entry.size && size <= entry.size + entry.bytes.length) {
    const tail = readAt(fd, size - entry.size, entry.size);
    if (tail.equals(entry.bytes)) return { standing: 'after' };
    if (tail.every((byte, index) => byte === 0 || byte === entry.bytes[index])) return { standing: 'torn' };
  }
  const content = readAt(fd, size, 0);
  const at = findHeld(content, entry);
  return at === -1 ? { standing: 'foreign' } : { standing: 'held', content, at };
}

// Whether a file is no longer the one the journal saw (a hint, said in the log only).
function hasMoved(fd: number, entry: AppendEntry): boolean {
  const info = fstatSync(fd, { bigint: true });
  return info.dev !== entry.dev || info.ino !== entry.ino;
}

// Finishes what a journal left (call under the files' locks): if every file it names still
// holds all its bytes, nothing changes; otherwise each file that holds some or all of them
// at its end is truncated back to its size before, and synced, and one that holds them
// among others' lines (replaced since by shadow-utils) is rewritten whole without them.
// Files without any of our bytes are left alone. Then the journal is emptied. Returns
// what was done, or null.
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
  const files: { entry: AppendEntry; fd: number; standing: Standing; content?: Buffer; at?: number }[] = [];
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
      files.push({ entry, fd, ...getStanding(fd, entry) });
    }
    const ours = files.filter((file) => file.standing !== 'foreign');
    // Complete only if every file holds our bytes: one without them makes the create half.
    const complete = ours.length > 0 && files.every((file) => file.standing === 'after' || file.standing === 'held');
    const undone = complete ? [] : ours.filter((file) => file.standing !== 'before');
    const truncated = undone.filter((file) => file.standing !== 'held');
    for (const file of truncated) ftruncateSync(file.fd, file.entry.size);
    await Promise.all(truncated.map((file) => syncData(file.fd)));
    // Our lines among others' leave through a whole rewrite, as shadow-utils writes.
    const rewritten = undone.filter((file) => file.standing === 'held');
    const staged = await Promise.all(
      rewritten.map(({ entry, content, at }) =>
        stageAccountFile(join(etcDir, entry.name), [
          content!.subarray(0, at),
          content!.subarray(at! + entry.bytes.length),
        ]),
      ),
    );
    for (const file of staged) file.commit();
    for (const directory of new Set(rewritten.map((file) => dirname(join(etcDir, file.entry.name)))))
      await syncDirectory(directory);
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
          `${truncated.map((file) => file.entry.name).join(', ') || 'nothing'} truncated back` +
          (rewritten.length > 0 ? `; our lines taken out of ${rewritten.map((f) => f.entry.name).join(', ')}` : '') +
          (names('foreign').length > 0 ? `; ${names('foreign').join(', ')} changed since, left alone` : '') +
          seen;
  } finally {
    for (const file of files) closeSync(file.fd);
    closeSync(journal);
  }
}
