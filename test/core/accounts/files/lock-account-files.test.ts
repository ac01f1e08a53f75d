import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockAccountFiles, tryLockFile } from '../../../../server/core/accounts/files/lock-account-files.ts';
import { writeAccountFile } from '../../../../server/core/accounts/files/write-account-file.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-locks-'));
  await writeFile(join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('shadow-utils locks', () => {
  it('takes <file>.lock holding our PID and NUL, as commonio writes it', async () => {
    const release = await lockAccountFiles(dir, ['passwd']);
    expect(await readFile(join(dir, 'passwd.lock'), 'utf8')).toBe(`${process.pid}\0`);
    await release();
    await expect(stat(join(dir, 'passwd.lock'))).rejects.toThrow();
  });

  it('breaks a stale lock whose PID is dead', async () => {
    const dead = spawn('true');
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(join(dir, 'passwd.lock'), `${dead.pid}\0`);
    expect(await tryLockFile(join(dir, 'passwd'))).toBe(true);
    expect(await readFile(join(dir, 'passwd.lock'), 'utf8')).toBe(`${process.pid}\0`);
    await rm(join(dir, 'passwd.lock'));
  });

  // In a full CI run a killed holder's PID was handed to another process within seconds
  // (pid_max 32768): the lock looked held for the whole 15 s wait.
  it('breaks a stale lock whose PID now belongs to a process started after the lock', async () => {
    const old = new Date(Date.now() - 60_000);
    const later = spawn('sleep', ['30']);
    await writeFile(join(dir, 'passwd.lock'), `${later.pid}\0`);
    await utimes(join(dir, 'passwd.lock'), old, old);
    expect(await tryLockFile(join(dir, 'passwd'))).toBe(true);
    expect(await readFile(join(dir, 'passwd.lock'), 'utf8')).toBe(`${process.pid}\0`);
    later.kill();
    await rm(join(dir, 'passwd.lock'));
  });

  it('waits for a live holder, then answers busy naming the files', async () => {
    const holder = spawn('sleep', ['30']);
    await writeFile(join(dir, 'passwd.lock'), `${holder.pid}\0`);
    await expect(lockAccountFiles(dir, ['passwd'], 300)).rejects.toMatchObject({
      code: 'busy',
      message: expect.stringContaining('locked by another program'),
    });
    holder.kill();
    await rm(join(dir, 'passwd.lock'));
  });

  it('replaces a file atomically with a `-` backup, keeping its mode', async () => {
    const path = join(dir, 'shadow');
    await writeFile(path, 'old\n', { mode: 0o640 });
    await writeAccountFile(path, 'new\n');
    expect(await readFile(path, 'utf8')).toBe('new\n');
    expect(await readFile(`${path}-`, 'utf8')).toBe('old\n');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect((await stat(`${path}-`)).mode & 0o777).toBe(0o640);
  });
});
