import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CoreError } from '../../core/errors.ts';
import { checkSafeDirectory } from './check-safe-directory.ts';
import { say } from '../../core/messages.ts';

// Makes the get inside history file safe to hand to the REPL (which opens it by name): its
// directory is made 0700 when missing and must be root's (or ours) and closed to others,
// with every directory above it writable by root only (checkSafeDirectory); the file is
// created O_NOFOLLOW|O_CREAT 0600 and must be a regular file of ours with one link (never
// a symbolic link to /etc/passwd, nor a hard link to it). Returns `path`; throws a
// CoreError saying why not (the REPL then runs without history). The file holds what root
// typed, secrets included.
export async function openHistoryFile(path: string): Promise<string> {
  const directory = dirname(path);
  await mkdir(directory, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await checkSafeDirectory(directory, 'the REPL history', true);
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW;
  const handle = await open(path, flags, 0o600).catch((error: NodeJS.ErrnoException) => {
    const why =
      error.code === 'ELOOP' ? say('web.socket.symlink') : say('web.history.cannotOpen', { code: error.code ?? '' });
    throw new CoreError('conflict', say('web.history.refused', { path, why }), { field: 'path' });
  });
  try {
    const stats = await handle.stat();
    const uid = process.geteuid?.() ?? 0;
    if (!stats.isFile() || stats.nlink !== 1 || stats.uid !== uid) {
      const message = say('web.history.refused', { path, why: say('web.history.notOurs') });
      throw new CoreError('conflict', message, { field: 'path' });
    }
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  return path;
}
