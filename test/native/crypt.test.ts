import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createHashSetting, hashPassphrase } from '../../server/native/crypt.ts';

// perl's crypt() is the system's libcrypt: the peer our hashes must agree with.
function perlCrypt(phrase: string, setting: string): string {
  return execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', phrase, setting], { encoding: 'utf8' });
}

describe('libxcrypt addon', () => {
  it.each([['$y$'], ['$6$'], ['$5$']])('makes %s hashes that perl verifies, and verifies perl\'s', async (prefix) => {
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

  it('refuses a NUL byte rather than hashing a truncated passphrase', () => {
    expect(() => hashPassphrase('abc\0def', createHashSetting('$6$'))).toThrow(/NUL/);
  });

  it('rejects an invalid setting', async () => {
    await expect(hashPassphrase('x', '!locked')).rejects.toThrow(/invalid setting/);
    expect(() => createHashSetting('$nope$')).toThrow(/unsupported/);
  });

  it('runs off the event loop: timers fire while hashes are computed', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks += 1; }, 1);
    await Promise.all(Array.from({ length: 8 }, () => hashPassphrase('pw', createHashSetting('$y$', 7))));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });
});
