import { chown, copyFile, open, rename, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';

// Replaces a file's content atomically, as shadow-utils' commonio does: a `<file>-` backup of
// the current version (same mode, owner and times), the new text written to `<file>+` with
// the original's mode and owner and fsynced, renamed over `<file>`, the directory fsynced.
// A crash leaves either the old file or the new one, never a mix.
export async function writeAccountFile(path: string, text: string, fallbackMode = 0o644): Promise<void> {
  const current = await stat(path).catch(() => null);
  const mode = current ? current.mode & 0o7777 : fallbackMode;
  if (current) {
    const backup = `${path}-`;
    await copyFile(path, `${backup}+`);
    await chown(`${backup}+`, current.uid, current.gid).catch(ignoreUnlessRoot);
    const handle = await open(`${backup}+`, 'r+');
    try {
      await handle.chmod(mode);
      await handle.sync();
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
  await rename(temporary, path);
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

// A non-root daemon (the demo) cannot give files away; it owns them anyway.
function ignoreUnlessRoot(error: unknown): void {
  if (process.getuid?.() === 0) throw error;
}
