import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createHashSetting, hashPassphrase, runPamLogin, runPamPasswordChange } from '../../server/native/native.ts';

// perl's crypt() is the system's libcrypt: the peer our hashes must agree with.
function perlCrypt(phrase: string, setting: string): string {
  return execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', phrase, setting], { encoding: 'utf8' });
}

describe('libxcrypt addon', () => {
  it.each([['$y$'], ['$6$'], ['$5$']])("makes %s hashes that perl verifies, and verifies perl's", async (prefix) => {
    const ours = await hashPassphrase('correct horse', createHashSetting(prefix));
    expect(ours.startsWith(prefix)).toBe(true);
    expect(perlCrypt('correct horse', ours)).toBe(ours);
    expect(perlCrypt('wrong horse', ours)).not.toBe(ours);

    const theirs = perlCrypt('battery staple', createHashSetting(prefix));
    expect(await hashPassphrase('battery staple', theirs)).toBe(theirs);
    expect(await hashPassphrase('battery stapler', theirs)).not.toBe(theirs);
  });

  it('honours a cost for yescrypt', () => {
    expect(createHashSetting('$y$', 5)).toMatch(/^\$y\$j9T\$/);
    expect(createHashSetting('$y$', 7)).toMatch(/^\$y\$jBT\$/);
  });

  it('refuses a NUL byte rather than hashing a truncated passphrase', async () => {
    await expect(hashPassphrase('abc\0def', createHashSetting('$6$'))).rejects.toThrow(/NUL/);
  });

  it('refuses a NUL byte in what it would give PAM, before any PAM transaction', async () => {
    await expect(runPamLogin('licorn', 'someone', '127.0.0.1', 'abc\0def')).rejects.toThrow(/NUL/);
    await expect(runPamLogin('licorn', 'some\0one', '127.0.0.1', 'abcdef')).rejects.toThrow(/NUL/);
    await expect(runPamPasswordChange('licorn', 'someone', '127.0.0.1', 'Old-pass-1', 'New\0pass')).rejects.toThrow(
      /NUL/,
    );
  });

  it('rejects an invalid setting', async () => {
    await expect(hashPassphrase('x', '!locked')).rejects.toThrow(/invalid setting/);
    expect(() => createHashSetting('$nope$')).toThrow(/unsupported/);
  });

  it('runs off the event loop: timers fire while hashes are computed', async () => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    await Promise.all(Array.from({ length: 8 }, () => hashPassphrase('pw', createHashSetting('$y$', 7))));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });
});

describe("fcntl file lock (lckpwdf's)", () => {
  it('excludes another process both ways', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawn, execFileSync: run } = await import('node:child_process');
    const { tryFileLock, releaseFileLock } = await import('../../server/native/native.ts');
    const path = join(mkdtempSync(join(tmpdir(), 'licorn-lock-')), '.pwd.lock');

    // python's fcntl.lockf is the same POSIX record lock glibc's lckpwdf takes.
    const holder = spawn('python3', [
      '-c',
      'import fcntl,sys,time; f=open(sys.argv[1],"w"); fcntl.lockf(f, fcntl.LOCK_EX); print("locked", ' +
        'flush=True); time.sleep(60)',
      path,
    ]);
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    expect(tryFileLock(path)).toBeNull();
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));

    const fd = tryFileLock(path);
    expect(fd).not.toBeNull();
    const probe = () =>
      run(
        'python3',
        [
          '-c',
          'import fcntl,sys; f=open(sys.argv[1],"w"); fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB); print("got it")',
          path,
        ],
        { encoding: 'utf8', stdio: 'pipe' },
      );
    expect(probe).toThrow();
    releaseFileLock(fd!);
    expect(probe()).toBe('got it\n');
  });
});

describe('malloc settings (mallopt)', () => {
  // A child allocates a hundred 80 KiB buffers (under glibc's default 128 KiB mmap threshold,
  // over the daemon's 64 KiB) and prints how much glibc's main heap grew, in KiB.
  const heapGrowth = async (mode: 'default' | 'tune'): Promise<number> => {
    const { execFileSync: run } = await import('node:child_process');
    const { join } = await import('node:path');
    const { projectDir } = await import('../../server/project-dir.ts');
    const { mallocSettings } = await import('../../server/native/native.ts');
    const script = `
      const native = require(process.argv[1]);
      if (process.argv[2] === 'tune') native.tuneMalloc(Number(process.argv[3]));
      const heap = () => {
        const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
        const range = /^([0-9a-f]+)-([0-9a-f]+) .*\\[heap\\]$/m.exec(maps);
        return range ? parseInt(range[2], 16) - parseInt(range[1], 16) : 0;
      };
      const before = heap();
      const kept = Array.from({ length: 100 }, () => Buffer.allocUnsafeSlow(80 * 1024));
      process.stdout.write(String(kept.length && (heap() - before) / 1024));`;
    const addon = join(projectDir, 'build/Release/licorn_native.node');
    const args = ['-e', script, addon, mode, String(mallocSettings.mmapThreshold)];
    const env: NodeJS.ProcessEnv = { ...process.env, MALLOC_MMAP_THRESHOLD_: undefined };
    return Number(run(process.execPath, args, { encoding: 'utf8', env }));
  };

  it("puts the daemon's 80 KiB buffers out of the main heap, where glibc's default keeps them", async () => {
    expect(await heapGrowth('default')).toBeGreaterThanOrEqual(7000);
    expect(await heapGrowth('tune')).toBeLessThan(1024);
  });

  it('gives freed heap pages back to the system (malloc_trim), where free() alone does not', async () => {
    const { execFileSync: run } = await import('node:child_process');
    const { join } = await import('node:path');
    const { projectDir } = await import('../../server/project-dir.ts');
    // A hundred 80 KiB buffers in glibc's main heap (mmap threshold 1 MiB, one arena), freed by
    // full GCs that sweep array buffers on this thread, half a second apart; free() never trims
    // (trim threshold 1 GiB). The heap's resident KiB after, against before, with malloc_trim or without.
    const script = `
      const native = require(process.argv[1]);
      const smaps = () => require('fs').readFileSync('/proc/self/smaps', 'utf8');
      const heapRss = () => Number(/\\[heap\\]\\n(?:.*\\n)*?Rss:\\s+(\\d+) kB/.exec(smaps())[1]);
      let kept = Array.from({ length: 100 }, () => Buffer.alloc(80 * 1024, 1));
      const before = heapRss();
      kept = null;
      globalThis.gc();
      globalThis.gc();
      // V8 may still hand the backing stores to free() after the collections (two CI runs read
      // nothing freed, the second with half a second's wait): trimmed again, after another
      // collection, every quarter of a second for up to 5 s until they are. free() alone is
      // read once: it never trims, however long it is given.
      let released = false;
      let tries = 0;
      const measure = () => {
        globalThis.gc();
        released = (process.argv[2] === 'trim' && native.trimMalloc()) || released;
        const kib = before - heapRss();
        if (process.argv[2] === 'trim' && kib < 6000 && ++tries < 20) return setTimeout(measure, 250);
        process.stdout.write(JSON.stringify({ released, kib }));
      };
      setTimeout(measure, 500);`;
    const addon = join(projectDir, 'build/Release/licorn_native.node');
    const env = {
      ...process.env,
      MALLOC_ARENA_MAX: '1',
      MALLOC_MMAP_THRESHOLD_: String(1 << 20),
      MALLOC_TRIM_THRESHOLD_: String(1 << 30),
    };
    const flags = ['--expose-gc', '--no-concurrent-array-buffer-sweeping'];
    const freed = (mode: string) =>
      JSON.parse(run(process.execPath, [...flags, '-e', script, addon, mode], { encoding: 'utf8', env }));
    const untrimmed = freed('free');
    const trimmed = freed('trim');
    expect(untrimmed.kib).toBeLessThan(1024);
    expect(trimmed.released).toBe(true);
    expect(trimmed.kib).toBeGreaterThanOrEqual(6000);
  });

  it('refuses a threshold that is not a positive integer', async () => {
    const { tuneMalloc } = await import('../../server/native/native.ts');
    expect(tuneMalloc()).toBe(true);
    const { createRequire } = await import('node:module');
    const { join } = await import('node:path');
    const { projectDir } = await import('../../server/project-dir.ts');
    const native = createRequire(import.meta.url)(join(projectDir, 'build/Release/licorn_native.node'));
    expect(() => native.tuneMalloc(0)).toThrow(TypeError);
    expect(() => native.tuneMalloc('64')).toThrow(TypeError);
  });
});
