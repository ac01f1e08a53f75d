import { closeSync, constants, fdatasync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { relative } from 'node:path';
import { hitFaultPoint } from '../directory-steps.ts';
import type { FileTag } from '../account-database.ts';
import { clearAppendJournal, openAppendJournal, writeAppendJournal, type AppendEntry } from './append-journal.ts';

// Bytes to add at the end of one account file, whose content we know as of `tag`.
export interface AppendWrite {
  path: string;
  tag: FileTag;
  // Where they go: the file's size as we know it.
  offset: number;
  bytes: Buffer;
}

// Readers (NSS, getent) read the files without locks. A write within one page is seen
// whole or not at all (the page is filled before the size grows); one that crosses a page
// boundary could be seen cut at it for a moment, so it is not appended in place.
const pageSize = 4096;

const syncData = (fd: number) =>
  new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

// A test hook (crash tests only): LICORN_TEST_KILL_AT names the step at which this process
// kills itself with SIGKILL, to show that a crash at any step is recovered.
const killAt = process.env.LICORN_TEST_KILL_AT;
function crashPoint(label: string): void {
  if (killAt === label) process.kill(process.pid, 'SIGKILL');
}

// Appends each write's bytes in place, all or nothing: a synced undo journal first, then
// one write(2) per file at its known end, the files' fdatasyncs in parallel, and the journal
// emptied. Returns null, having changed nothing, when a file is not as we last saw it (an
// outside writer: inode, size or mtime moved), has another name (a link), or the bytes
// would cross a page: the caller then rewrites the files whole. Throws AccountFileMovedError,
// having changed nothing, when a file moved while the journal was synced (a writer without
// lock: a rewrite would drop its line). A failure truncates every file back (byte-identical)
// and throws; a crash is undone by recoverAppendJournal. Returns each file's tag as our write
// left it, read from its descriptor at once; a file another writer changed beside ours has
// none (its content is not what we know: to read again). Call under the files' locks, in
// etc/ of `etcDir`.
export async function appendAccountFiles(
  etcDir: string,
  writes: readonly AppendWrite[],
): Promise<Map<string, FileTag> | null> {
  const opened: { write: AppendWrite; fd: number; entry: AppendEntry }[] = [];
  try {
    for (const write of writes) {
      if (Math.floor(write.offset / pageSize) !== Math.floor((write.offset + write.bytes.length - 1) / pageSize))
        return null;
      let fd: number;
      try {
        // Never through a link: the rewrite replaces a symlinked file, as shadow-utils does.
        fd = openSync(write.path, constants.O_RDWR | constants.O_NOFOLLOW);
      } catch {
        // Missing (a first shadow), a link or not writable: the whole rewrite says why, or makes it.
        return null;
      }
      const info = fstatSync(fd, { bigint: true });
      opened.push({
        write,
        fd,
        entry: {
          name: relative(etcDir, write.path),
          dev: info.dev,
          ino: info.ino,
          size: write.offset,
          bytes: write.bytes,
        },
      });
      if (!info.isFile() || info.nlink !== 1n || getTag(fd) !== write.tag || info.size !== BigInt(write.offset))
        return null;
    }
    hitFaultPoint('append journal');
    const journal = await openAppendJournal(etcDir);
    try {
      await writeAppendJournal(
        journal,
        opened.map((file) => file.entry),
      );
    } catch (error) {
      closeSync(journal);
      throw error;
    }
    crashPoint('journal synced');
    // A writer that takes no lock (`echo >> passwd`) may have appended while the journal was
    // synced (milliseconds): our write at the size seen before would go over its line.
    const moved = opened.find(({ write, fd }) => getTag(fd) !== write.tag);
    if (moved) {
      clearAppendJournal(journal);
      throw new AccountFileMovedError(moved.write.path);
    }
    const tags = new Map<string, FileTag>();
    try {
      for (const { write, fd } of opened) {
        hitFaultPoint(`append ${write.path}`);
        // One write(2) for a reader to see whole; a short one (a full disk) is a failure.
        const written = writeSync(fd, write.bytes, 0, write.bytes.length, write.offset);
        if (written !== write.bytes.length) throw new Error(`${write.path}: short write (${written} bytes)`);
        // Another writer in the microseconds since the check: its bytes are beside ours,
        // kept (a truncation would drop them); the file is read again by the next change.
        // Its tag is taken now: one taken later could count a writer's bytes as ours.
        const info = fstatSync(fd, { bigint: true });
        if (info.size === BigInt(write.offset + write.bytes.length))
          tags.set(write.path, `${info.ino}:${info.size}:${info.mtimeNs}`);
        crashPoint(`appended ${relative(etcDir, write.path)}`);
      }
      await Promise.all(opened.map(({ fd }) => syncData(fd)));
      crashPoint('files synced');
    } catch (error) {
      const undone = await undo(opened).then(
        () => true,
        () => false,
      );
      if (undone) clearAppendJournal(journal);
      else closeSync(journal);
      throw error;
    }
    clearAppendJournal(journal);
    return tags;
  } finally {
    for (const { fd } of opened) closeSync(fd);
  }
}

// A file changed by a writer that takes no lock while we appended: nothing of ours written.
export class AccountFileMovedError extends Error {
  constructor(path: string) {
    super(`${path} changed (by a writer that takes no lock) while it was being written: nothing written, try again`);
  }
}

// The file's tag (account-database.ts's getFileTag) from its descriptor.
function getTag(fd: number): FileTag {
  const info = fstatSync(fd, { bigint: true });
  return `${info.ino}:${info.size}:${info.mtimeNs}`;
}

// Truncates every file back to its size before and syncs it (a failed append). If this
// fails too, the journal stays and the next transaction's recovery finishes it.
async function undo(opened: readonly { write: AppendWrite; fd: number }[]): Promise<void> {
  for (const { write, fd } of opened) ftruncateSync(fd, write.offset);
  await Promise.all(opened.map(({ fd }) => syncData(fd)));
}
