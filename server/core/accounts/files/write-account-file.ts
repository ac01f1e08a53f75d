import {
  close,
  closeSync,
  fchmodSync,
  fstatSync,
  fchownSync,
  fsync,
  linkSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { hitFaultPoint } from '../directory-steps.ts';
import type { FileTag } from '../account-database.ts';

// A file's next version, written beside it: `commit` renames it into place (and the
// previous version to `<file>-`), `discard` removes it, leaving every byte as it was.
// `tag`: what getFileTag says of the file once renamed (a rename keeps its inode, size and
// mtime), read from its descriptor before any other writer can reach it.
export interface StagedFile {
  commit(): void;
  discard(): void;
  tag: FileTag;
}

// Replaces a file's content atomically, as shadow-utils' commonio does (see stageAccountFile).
export async function writeAccountFile(
  path: string,
  text: string | readonly Buffer[],
  fallbackMode = 0o644,
): Promise<void> {
  (await stageAccountFile(path, text, fallbackMode)).commit();
}

// Prepares a file's replacement: the next `<file>-` backup (a link to the current version,
// in `<file>-+`), the new text written to `<file>+` with the original's mode and owner and
// fsynced. Returns its commit (both renamed into place: a crash leaves either the old file
// or the new one, never a mix) and its discard (a refusal after staging changes nothing).
// The caller stages every file of a change first, then renames them back to back, so
// that a crash between two files is a window of two system calls, not of an fsync; then it
// fsyncs the directory (syncDirectory).
// The backup is a hard link to the current version rather than shadow-utils' copy: once the
// new version is renamed in, the old inode lives on as `<file>-` with its content, mode,
// owner and times, and nothing was copied (600 KB per file with 10,000 accounts). Files are
// changed in place only by an append (append-account-files.ts), and only while they have no
// other name: a backup is never written through its link.
// `text` may come in pieces, written one after another (DatabaseFile.renderBytes).
export async function stageAccountFile(
  path: string,
  text: string | readonly Buffer[],
  fallbackMode = 0o644,
): Promise<StagedFile> {
  hitFaultPoint(`stage ${path}`);
  // Every step but the fsync is a system call of microseconds, made synchronously: through
  // the thread pool (4 threads) the ten steps of four to six files queued behind each
  // other and cost a single create 4 ms (measured with 10,000 accounts).
  const current = statSync(path, { throwIfNoEntry: false });
  const mode = current ? current.mode & 0o7777 : fallbackMode;
  const backup = `${path}-`;
  const temporary = `${path}+`;
  const discard = () => {
    rmSync(`${backup}+`, { force: true });
    rmSync(temporary, { force: true });
  };
  if (current) {
    rmSync(`${backup}+`, { force: true });
    linkSync(path, `${backup}+`);
  }
  let fd: number;
  try {
    fd = openSync(temporary, 'w', 0o600);
  } catch (error) {
    discard();
    throw error;
  }
  try {
    if (current) {
      try {
        fchownSync(fd, current.uid, current.gid);
      } catch (error) {
        ignoreUnlessRoot(error);
      }
    }
    fchmodSync(fd, mode);
    if (typeof text === 'string') writeFileSync(fd, text);
    else for (const piece of text) writeAll(fd, piece);
    await new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
  } catch (error) {
    closeSync(fd);
    discard();
    throw error;
  }
  const info = fstatSync(fd, { bigint: true });
  closeSync(fd);
  return {
    tag: `${info.ino}:${info.size}:${info.mtimeNs}`,
    commit: () => {
      // The backup replaced is held open across its rename and closed through the thread
      // pool: the rename then frees none of its blocks, the close does, later (with
      // 100,000 accounts, freeing a 7 MB file made each rename 7–17 ms on this disk).
      const previous = current ? openOld(backup) : null;
      try {
        if (current) renameSync(`${backup}+`, backup);
        renameSync(temporary, path);
      } finally {
        if (previous !== null) close(previous, () => {});
      }
    },
    discard,
  };
}

// Writes all of `bytes` (write(2) may write less than asked).
function writeAll(fd: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

// A descriptor on the file about to be replaced, or null (none, or unreadable).
function openOld(path: string): number | null {
  try {
    return openSync(path, 'r');
  } catch {
    return null;
  }
}

// Makes the renames in a directory durable.
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// A non-root daemon (the demo) cannot give files away; it owns them anyway.
function ignoreUnlessRoot(error: unknown): void {
  if (process.getuid?.() === 0) throw error;
}
