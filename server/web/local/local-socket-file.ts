import { connect, type Server } from 'node:net';
import { lstat, mkdir, mkdtemp, rename, rm, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { CoreError } from '../../core/errors.ts';
import { checkSafeDirectory, setSocketMode } from './check-safe-directory.ts';
import { type CoreMessage, say } from '../../core/messages.ts';

// How long a socket found at the path may take to answer before it counts as alive.
const probeTimeoutMs = 1000;

function refuse(path: string, why: CoreMessage): never {
  throw new CoreError('conflict', say('web.socket.refused', { path, why }), { field: 'path' });
}

async function getStats(path: string): Promise<Stats | null> {
  return lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
}

// Whether something accepts connections on the socket at `path` (another licornd).
function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (alive: boolean) => {
      socket.destroy();
      resolve(alive);
    };
    socket.setTimeout(probeTimeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    // ECONNREFUSED: a socket file nobody listens on (a daemon that was killed).
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code !== 'ECONNREFUSED'));
  });
}

// Makes `path` ready for a daemon's socket to be bound there: its directory is made (0755)
// when missing, and it and every directory above it must belong to root or to us and be
// writable by no one else (checkSafeDirectory: a group of root's or ours may, as a demo under
// a umask-002 home has it), so that no other user can put a socket of their own in ours'
// place for the `licorn` command to talk to, nor swap a directory on the way between the
// bind and the chmod. A socket file nobody listens on is removed; a symbolic link (never
// followed), any other file, or a socket that answers is refused.
export async function prepareSocketPath(path: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') refuse(path, say('web.socket.noDirectory', { code: error.code ?? '' }));
  });
  await checkSafeDirectory(directory, `the socket ${path}`);
  const found = await getStats(path);
  if (!found) return;
  if (found.isSymbolicLink()) refuse(path, say('web.socket.symlink'));
  if (!found.isSocket()) refuse(path, say('web.socket.notSocketThere'));
  if (await isListening(path)) refuse(path, say('web.socket.listening'));
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

// Makes `server` listen on a Unix socket at `path` with `mode`: bound in a fresh private
// directory beside it (0700, ours), given its mode there through a descriptor that follows
// no link (setSocketMode), then renamed into place (a rename replaces a link, never follows
// it). Resolves with the file's identity.
export async function listenOnSocketPath(server: Server, path: string, mode: number): Promise<SocketIdentity> {
  await prepareSocketPath(path);
  const staging = await mkdtemp(join(dirname(path), '.licornd-'));
  try {
    const bound = join(staging, 's');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ path: bound }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const identity = await getSocketIdentity(bound);
    await setSocketMode(bound, identity, mode);
    await rename(bound, path);
    const placed = await getSocketIdentity(path);
    if (placed.dev !== identity.dev || placed.ino !== identity.ino) refuse(path, say('web.socket.swapped'));
    return placed;
  } catch (error) {
    if (server.listening) server.close();
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

// A socket file's device and inode: it is removed at stop only if it is still this one.
export interface SocketIdentity {
  dev: number;
  ino: number;
}

// The identity of the socket file we bound, to remove it at stop only if it is still ours.
export async function getSocketIdentity(path: string): Promise<{ dev: number; ino: number }> {
  const stats = await lstat(path);
  if (!stats.isSocket()) refuse(path, say('web.socket.notSocketAfter'));
  return { dev: stats.dev, ino: stats.ino };
}

// Removes the socket file at stop, if it is still the one we bound.
export async function removeSocketFile(path: string, identity: { dev: number; ino: number }): Promise<void> {
  const stats = await getStats(path).catch(() => null);
  if (stats?.isSocket() && stats.dev === identity.dev && stats.ino === identity.ino) {
    await unlink(path).catch(() => undefined);
  }
}
