import { renameSync } from 'node:fs';
import { chown, copyFile, open, rename, stat, utimes } from 'node:fs/promises';

// Replaces a file's content atomically, as shadow-utils' commonio does (see stageAccountFile).
export async function writeAccountFile(path: string, text: string, fallbackMode = 0o644): Promise<void> {
  (await stageAccountFile(path, text, fallbackMode))();
}

// Prepares a file's replacement: a `<file>-` backup of the current version (same mode, owner
// and times), the new text written to `<file>+` with the original's mode and owner and
// fsynced. Returns the function that renames it over `<file>`: a crash leaves either the
// old file or the new one, never a mix. The caller stages every file of a change first,
// then renames them back to back, so that a crash between two files is a window of two
// system calls, not of an fsync; then it fsyncs the directory (syncDirectory). The backup
// is not synced: it is a convenience copy, and each fsync costs milliseconds.
export async function stageAccountFile(path: string, text: string, fallbackMode = 0o644): Promise<() => void> {
  const current = await stat(path).catch(() => null);
  const mode = current ? current.mode & 0o7777 : fallbackMode;
  if (current) {
    const backup = `${path}-`;
    await copyFile(path, `${backup}+`);
    await chown(`${backup}+`, current.uid, current.gid).catch(ignoreUnlessRoot);
    const handle = await open(`${backup}+`, 'r+');
    try {
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await rename(`${backup}+`, backup);
    await utimes(backup, current.atime, current.mtime);
  }
  const temporary = `${path}+`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    if (current) await handle.chown(current.uid, current.gid).catch(ignoreUnlessRoot);
    await handle.chmod(mode);
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return () => renameSync(temporary, path);
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
