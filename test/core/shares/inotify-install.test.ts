import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countShareDirectories,
  describeInotifyInstall,
  installInotifyLimits,
} from '../../../server/core/shares/inotify-install.ts';
import { getWantedInotifyLimits } from '../../../server/core/shares/inotify-limits.ts';

// `licornd install`'s sysctl.d file, always under a temporary root (never the machine's /etc)
// and, for the "real machine" case, against a temporary /proc.
describe('licornd install: the inotify limits', () => {
  let dir = '';
  let root = '';
  const file = () => join(root, 'etc/sysctl.d/60-licorn.conf');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'licorn-install-'));
    root = join(dir, 'root');
    // Two shares: crew (3 directories below it), docs (none); a file, a symlink to a tree
    // outside (never followed) are not counted.
    await mkdir(join(root, 'home/groups/crew/a/b'), { recursive: true });
    await mkdir(join(root, 'home/groups/crew/c'), { recursive: true });
    await mkdir(join(root, 'home/groups/docs'), { recursive: true });
    await mkdir(join(dir, 'outside/x/y/z'), { recursive: true });
    await symlink(join(dir, 'outside'), join(root, 'home/groups/crew/link'));
    await writeFile(join(root, 'home/groups/crew/a/file'), '');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts the shares and their directories, symlinks not followed', async () => {
    expect(await countShareDirectories(root)).toEqual({ directories: 5, shares: 2 });
    expect(await countShareDirectories(join(dir, 'nothing'))).toEqual({ directories: 0, shares: 0 });
  });

  // Red team F16: the count lstat'ed a child then opendir'ed its path, following a symlink a member swapped in
  // between: root's walk left the share (up to 488 counted for 52). A real member process swaps here.
  it.skipIf(process.getuid?.() !== 0 && process.env.CI !== 'true')(
    'never follows a directory a member swaps for a symlink while it counts',
    async () => {
      const share = join(root, 'home/groups/crew');
      await chmod(dir, 0o755);
      await chmod(root, 0o755);
      await chmod(share, 0o777);
      await mkdir(join(share, 'x'));
      await chown(join(share, 'x'), 61100, 61100);
      const honest = (await countShareDirectories(root)).directories;
      const swap = [
        'import os, time',
        `S = ${JSON.stringify(share)}`,
        'end = time.time() + 20',
        "print('ready', flush=True)",
        'while time.time() < end:',
        '  try:',
        "    os.rename(S + '/x', S + '/x.real'); os.symlink('/usr/share', S + '/x')",
        "    os.unlink(S + '/x'); os.rename(S + '/x.real', S + '/x')",
        '  except OSError: pass',
      ].join('\n');
      const member = ['--reuid', '61100', '--regid', '61100', '--clear-groups', '--'];
      const swapper = spawn('setpriv', [...member, '/usr/bin/python3', '-c', swap], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      try {
        await new Promise((resolve) => swapper.stdout.once('data', resolve));
        let most = 0;
        for (let i = 0; i < 1000; i++) most = Math.max(most, (await countShareDirectories(root)).directories);
        expect(most).toBeLessThanOrEqual(honest);
      } finally {
        swapper.kill();
      }
    },
    60_000,
  );

  it('writes the file into a sandbox root, applies nothing there, and writes nothing the second time', async () => {
    const first = await installInotifyLimits({ root, isRealMachine: false });
    expect(first).toMatchObject({
      directories: 5,
      shares: 2,
      file: file(),
      written: true,
      applied: [],
      sandbox: true,
      values: { maxUserWatches: 65536, maxQueuedEvents: 16384 },
    });
    const text = await readFile(file(), 'utf8');
    expect(text).toContain('fs.inotify.max_user_watches = 65536\nfs.inotify.max_queued_events = 16384\n');
    expect((await stat(file())).mode & 0o777).toBe(0o644);
    expect(describeInotifyInstall(first)).toEqual([
      '5 directories to watch in 2 shares',
      `wrote ${file()}: fs.inotify.max_user_watches = 65536, fs.inotify.max_queued_events = 16384`,
      'sandbox root: nothing applied to the running kernel',
    ]);
    const before = (await stat(file())).mtimeMs;
    const second = await installInotifyLimits({ root, isRealMachine: false });
    expect(second.written).toBe(false);
    expect((await stat(file())).mtimeMs).toBe(before);
    expect(describeInotifyInstall(second)[1]).toBe(
      `${file()} already says fs.inotify.max_user_watches = 65536, fs.inotify.max_queued_events = 16384`,
    );
    // No temporary file left beside it.
    expect(await readdir(join(root, 'etc/sysctl.d'))).toEqual(['60-licorn.conf']);
  });

  it('never lowers what the file or the running kernel says, and raises only what is lower', async () => {
    await mkdir(join(root, 'etc/sysctl.d'), { recursive: true });
    await writeFile(file(), 'fs.inotify.max_user_watches = 900000\n');
    const proc = join(dir, 'proc');
    await mkdir(join(proc, 'sys/fs/inotify'), { recursive: true });
    await writeFile(join(proc, 'sys/fs/inotify/max_user_watches'), '8192\n');
    await writeFile(join(proc, 'sys/fs/inotify/max_queued_events'), '100000\n');
    const done = await installInotifyLimits({ root, isRealMachine: true, procDir: proc });
    expect(done.values).toEqual({ maxUserWatches: 900000, maxQueuedEvents: 100000 });
    expect(done.applied).toEqual([{ key: 'fs.inotify.max_user_watches', from: 8192, to: 900000 }]);
    expect(await readFile(join(proc, 'sys/fs/inotify/max_user_watches'), 'utf8')).toBe('900000\n');
    expect(await readFile(join(proc, 'sys/fs/inotify/max_queued_events'), 'utf8')).toBe('100000\n');
    expect(await readFile(file(), 'utf8')).toContain(
      'fs.inotify.max_user_watches = 900000\nfs.inotify.max_queued_events = 100000\n',
    );
    expect(describeInotifyInstall(done)).toContain('applied fs.inotify.max_user_watches: 8192 → 900000');

    // A larger tree raises the queue too, and says the daemon must restart for it.
    for (let i = 0; i < 40; i++) await mkdir(join(root, `home/groups/docs/d${i}`));
    await writeFile(join(proc, 'sys/fs/inotify/max_queued_events'), '1000\n');
    const again = await installInotifyLimits({ root, isRealMachine: true, procDir: proc });
    expect(again.applied).toEqual([{ key: 'fs.inotify.max_queued_events', from: 1000, to: 100000 }]);
    expect(describeInotifyInstall(again).at(-1)).toContain('restart licornd');
  });

  it('asks for room to grow by half and a queue of one event per directory', () => {
    expect(getWantedInotifyLimits(214_540)).toEqual({ maxUserWatches: 321_810, maxQueuedEvents: 214_540 });
    expect(getWantedInotifyLimits(5_000_000).maxQueuedEvents).toBe(1_048_576);
  });
});
