import { spawn } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeShareLink } from '../../../server/core/shares/share-links.ts';

// Red team's F2 (issue 16): the daemon made `~/G` with symlink(2) then lchown(2) by name, in a home the member
// writes to. A member watching her home with inotify renamed a hard link (to a file she may write but does not
// own) over the new link in between, and root chowned that file to her (won after 4 to 36 links). Nothing is
// chowned now: the link stays root's. The attacker here is a real process as the member (setpriv).
const isRoot = process.getuid?.() === 0;
const alice = { login: 'alice', uid: 61100, gid: 61100, home: '/home/alice' };
const bob = 61101;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'licorn-link-race-'));
  await chmod(root, 0o755);
  await mkdir(join(root, 'home/alice'), { recursive: true });
  await chmod(join(root, 'home'), 0o755);
  await chown(join(root, 'home/alice'), alice.uid, alice.gid);
  await mkdir(join(root, 'home/groups/crew'), { recursive: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

// Swaps each new `crew` link for a hard link to `victim` as soon as inotify says it was made.
const attackerScript = (link: string, victim: string) => `
import ctypes, os, sys
libc = ctypes.CDLL('libc.so.6', use_errno=True)
G, V = ${JSON.stringify(link)}, ${JSON.stringify(victim)}
T = G + '.t'
fd = libc.inotify_init()
libc.inotify_add_watch(fd, os.path.dirname(G).encode(), 0x100)
os.link(V, T)
print('ready', flush=True)
while True:
    os.read(fd, 4096)
    if os.path.islink(G):
        try: os.rename(T, G)
        except OSError: pass
        try: os.unlink(G)
        except OSError: pass
        try: os.link(V, T)
        except OSError: pass
`;

describe.skipIf(!isRoot && !process.env.CI)("a member's ~/G link", () => {
  it('is never chowned: a hard link swapped in keeps its owner', async () => {
    const victim = join(root, 'home/bobfile');
    await writeFile(victim, 'bob\n');
    await chmod(victim, 0o666);
    await chown(victim, bob, bob);
    const link = join(root, 'home/alice/crew');
    const attacker = spawn(
      'setpriv',
      [
        '--reuid',
        `${alice.uid}`,
        '--regid',
        `${alice.gid}`,
        '--clear-groups',
        '--',
        '/usr/bin/python3',
        '-c',
        attackerScript(link, victim),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        attacker.stdout.once('data', () => resolve());
        attacker.once('exit', (code) => reject(new Error(`the attacker exited ${code}`)));
      });
      let made = 0;
      for (let i = 0; i < 200 && (await stat(victim)).uid === bob; i++) {
        if ((await makeShareLink(root, alice, 'crew').catch(() => 'failed')) === 'made') made += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(made).toBeGreaterThan(0);
      expect((await stat(victim)).uid).toBe(bob);
    } finally {
      attacker.kill();
    }
    await unlink(link).catch(() => {});
    expect(await makeShareLink(root, alice, 'crew')).toBe('made');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });
});
