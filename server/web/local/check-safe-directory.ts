import { constants } from 'node:fs';
import { chmod, lstat, open } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { CoreError } from '../../core/errors.ts';
import { type CoreMessage, say } from '../../core/messages.ts';

// O_PATH (Linux): a descriptor naming a file without opening it, which a socket allows.
const openPathOnly = 0o10000000;

// Checks that nobody but root (or our own user) can swap what lies in `directory`: every
// directory from / down to it, looked at without following symbolic links, is a real
// directory of root or ours, and writable by no one else (its group may write when it is
// root's or our own group: a demo under a umask-002 home), except a sticky one above it
// (/tmp: others cannot rename what we own there); with `privateMode`, `directory` itself
// must be closed to all others (a root-only directory). Throws a CoreError naming the first
// that is not (`what` says what it holds).
export async function checkSafeDirectory(directory: string, what: string, privateMode = false): Promise<void> {
  const uid = process.geteuid?.() ?? 0;
  const gid = process.getegid?.() ?? 0;
  const full = resolve(directory);
  const parts = full.split(sep).filter((part) => part !== '');
  const chain = ['/', ...parts.map((_, index) => `/${parts.slice(0, index + 1).join('/')}`)];
  for (const [index, path] of chain.entries()) {
    const refuse = (why: CoreMessage): never => {
      throw new CoreError('conflict', say('web.directory.refused', { what, full, path, why }), { field: 'path' });
    };
    const stats = await lstat(path).catch((error: NodeJS.ErrnoException) =>
      refuse(say('web.directory.unreadable', { code: error.code ?? '' })),
    );
    if (stats.isSymbolicLink()) refuse(say('web.directory.symlink'));
    if (!stats.isDirectory()) refuse(say('web.directory.notDirectory'));
    if (stats.uid !== 0 && stats.uid !== uid) refuse(say('web.directory.owner', { uid: stats.uid }));
    const last = index === chain.length - 1;
    const mode = (stats.mode & 0o7777).toString(8);
    const groupWrites = (stats.mode & 0o020) !== 0 && stats.gid !== 0 && stats.gid !== gid;
    const writable = (stats.mode & 0o002) !== 0 || groupWrites;
    if (writable && (last || (stats.mode & 0o1000) === 0)) refuse(say('web.directory.writable', { mode }));
    if (last && privateMode && (stats.mode & 0o077) !== 0) refuse(say('web.directory.open', { mode }));
  }
}

// Sets the mode of the socket file at `path` without following a symbolic link: the path
// is opened O_PATH|O_NOFOLLOW, must be the socket `identity` names, and is changed through
// its descriptor (/proc/self/fd, as glibc's fchmodat does: fchmod cannot on an O_PATH one).
export async function setSocketMode(path: string, identity: { dev: number; ino: number }, mode: number) {
  const handle = await open(path, openPathOnly | constants.O_NOFOLLOW);
  try {
    const stats = await handle.stat();
    if (!stats.isSocket() || stats.dev !== identity.dev || stats.ino !== identity.ino) {
      throw new CoreError('conflict', say('web.socket.refused', { path, why: say('web.socket.notBound') }), {
        field: 'path',
      });
    }
    await chmod(`/proc/self/fd/${handle.fd}`, mode);
  } finally {
    await handle.close();
  }
}
