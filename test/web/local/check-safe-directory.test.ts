import { chmod, chown, lstat, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSafeDirectory, setSocketMode } from '../../../server/web/local/check-safe-directory.ts';
import { prepareSocketPath } from '../../../server/web/local/local-socket-file.ts';

// Red team's LOW 11: a socket's directory and every one above it, never through a link.
const isRoot = process.getuid?.() === 0;
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-safe-dir-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(!isRoot && process.env.CI !== 'true')('socket and history directories (needs root for chown)', () => {
  it('refuses a socket whose grandparent belongs to another user (who could rename the parent)', async () => {
    const owned = join(dir, 'u');
    await mkdir(join(owned, 'sock'), { recursive: true, mode: 0o755 });
    await chown(owned, 1003, 1003);
    await expect(prepareSocketPath(join(owned, 'sock', 'licornd.sock'))).rejects.toThrow(
      `${owned} belongs to uid 1003, not root or us`,
    );
  });

  it('refuses an ancestor another group may write and a symbolic link on the way; accepts sticky /tmp', async () => {
    const loose = join(dir, 'loose');
    await mkdir(join(loose, 'sock'), { recursive: true, mode: 0o755 });
    await chmod(loose, 0o775);
    // Its group root's (or ours: a umask-002 home) may write; another group may not.
    await expect(checkSafeDirectory(join(loose, 'sock'), 'a socket')).resolves.toBeUndefined();
    await chown(loose, 0, 1003);
    await expect(checkSafeDirectory(join(loose, 'sock'), 'a socket')).rejects.toThrow(
      'is writable by others (mode 775)',
    );
    const real = join(dir, 'real');
    await mkdir(real, { mode: 0o755 });
    await symlink(real, join(dir, 'link'));
    await expect(checkSafeDirectory(join(dir, 'link'), 'a socket')).rejects.toThrow('is a symbolic link');
    await expect(checkSafeDirectory(real, 'a socket')).resolves.toBeUndefined();
  });

  it('sets a socket mode through its descriptor, never through a link', async () => {
    const path = join(dir, 'real', 'x.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const stats = await lstat(path);
      await setSocketMode(path, { dev: stats.dev, ino: stats.ino }, 0o666);
      expect((await lstat(path)).mode & 0o7777).toBe(0o666);
      const victim = join(dir, 'victim');
      await writeFile(victim, 'x', { mode: 0o600 });
      const linked = join(dir, 'real', 'linked.sock');
      await symlink(victim, linked);
      await expect(setSocketMode(linked, { dev: stats.dev, ino: stats.ino }, 0o666)).rejects.toThrow(
        'no longer the one bound',
      );
      expect((await lstat(victim)).mode & 0o7777).toBe(0o600);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
