import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { cp, link, lstat, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import {
  appendJournalPath,
  openAppendJournal,
  parseAppendJournal,
  writeAppendJournal,
  type AppendEntry,
} from '../../../server/core/accounts/files/append-journal.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';
import { run } from '../../helpers/accounts-sandbox.ts';
import { openAccountsOnce, primeAccounts } from '../../helpers/open-accounts-once.ts';

// Red team (twelfth session) of the in-place append: states a crash, a copy or a hand can
// leave that the recovery does not bring back to all before or all after, and the journal
// taken as an attack surface.
const files = ['passwd', 'shadow', 'subuid', 'subgid'];
const child = join(import.meta.dirname, '../../helpers/append-create-child.ts');

let s: Sandbox;
let before: Buffer[];
let next = 0;

const read = (root: string) => Promise.all(files.map((name) => readFile(join(root, 'etc', name))));
const journal = (root: string) => join(root, 'etc', appendJournalPath);

async function copyRoot(from = s.root): Promise<string> {
  next += 1;
  const root = join(s.dir, `copy${next}`);
  await cp(from, root, { recursive: true });
  return root;
}

// Creates the account `ann` in a child killed (SIGKILL) at `step` of the append.
function crashChild(root: string, step: string): Promise<NodeJS.Signals | null> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', child, root, 'account', 'ann'], {
    env: { ...process.env, LICORN_TEST_KILL_AT: step },
    stdio: 'ignore',
  });
  return new Promise((resolve) => process_.once('exit', (_code, signal) => resolve(signal)));
}

const openAndClose = (root: string) => openAccountsOnce(root);

// Rewrites a root's journal as `change` makes its entries (a validly hashed journal).
async function rewriteJournal(root: string, change: (entries: AppendEntry[]) => AppendEntry[]): Promise<void> {
  const entries = parseAppendJournal(await readFile(journal(root))) ?? [];
  const fd = await openAppendJournal(join(root, 'etc'));
  await writeAppendJournal(fd, change(entries));
  closeSync(fd);
}

beforeAll(async () => {
  s = await createSandbox();
  // A first transaction makes what stays for good (etc/licorn/, the journal, the lock file).
  await primeAccounts(s.root);
  before = await read(s.root);
}, 60_000);
afterAll(() => s.remove());

// Every file byte-identical to before the create.
async function expectAllBefore(root: string): Promise<void> {
  const now = await read(root);
  files.forEach((name, index) => {
    expect(now[index]!.equals(before[index]!), `${name} all before`).toBe(true);
  });
}

describe('a create torn by a crash, the same files seen under another identity', () => {
  it('the disk numbered otherwise after the reboot (st_dev moved: sdX, dm-N, btrfs, overlay): undone', async () => {
    const root = await copyRoot();
    expect(await crashChild(root, 'appended passwd')).toBe('SIGKILL');
    // What the kernel reports after a reboot that found the same disk as another device.
    await rewriteJournal(root, (entries) => entries.map((entry) => ({ ...entry, dev: entry.dev + 1n })));
    await openAndClose(root);
    await expectAllBefore(root);
    await run('pwck', ['-r', '-q', '-R', root]);
  }, 60_000);

  it('the root restored from a copy taken while torn (cp -a, rsync, a backup: new inodes): undone', async () => {
    const crashed = await copyRoot();
    expect(await crashChild(crashed, 'appended passwd')).toBe('SIGKILL');
    const restored = await copyRoot(crashed);
    await openAndClose(restored);
    await expectAllBefore(restored);
  }, 60_000);

  it('useradd run before licornd starts again: the half-made account is not kept', async () => {
    const root = await copyRoot();
    expect(await crashChild(root, 'appended passwd')).toBe('SIGKILL');
    await run('useradd', ['-R', root, '-M', 'peer1']);
    await openAndClose(root);
    const passwd = await readFile(join(root, 'etc', 'passwd'), 'utf8');
    const shadow = await readFile(join(root, 'etc', 'shadow'), 'utf8');
    // The create was never reported: ann is wholly gone (or wholly there), never half.
    expect(passwd.includes('\nann:') === shadow.includes('\nann:'), 'ann in passwd iff in shadow').toBe(true);
  }, 60_000);

  it('useradd run after a create complete but for its journal: the account is kept whole', async () => {
    const root = await copyRoot();
    expect(await crashChild(root, 'files synced')).toBe('SIGKILL');
    await run('useradd', ['-R', root, '-M', 'peer1']);
    await openAndClose(root);
    const [passwd, shadow] = await Promise.all(['passwd', 'shadow'].map((name) => readFile(join(root, 'etc', name))));
    expect([passwd!.includes('\nann:'), shadow!.includes('\nann:')]).toEqual([true, true]);
    await run('pwck', ['-r', '-q', '-R', root]);
  }, 60_000);
});

describe('the journal as an attack surface', () => {
  it('a symlink at the journal path is not written through (its target keeps its bytes)', async () => {
    const root = await copyRoot();
    const victim = join(root, 'etc', 'victim');
    await writeFile(victim, 'precious\n');
    await unlink(journal(root));
    await symlink(victim, journal(root));
    const service = await AccountsService.open({ root, events: new EventBus() });
    await service.createAccount({ login: 'ann', password: null, createHome: false }).catch(() => {});
    await service.close();
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
  }, 60_000);

  it('an entry naming a file outside etc/ (../) is ignored by the recovery', async () => {
    const root = await copyRoot();
    const outside = join(root, 'outside');
    await writeFile(outside, 'precious\n');
    const [passwd, victim] = await Promise.all([
      stat(join(root, 'etc', 'passwd'), { bigint: true }),
      stat(outside, { bigint: true }),
    ]);
    // A victim holding "all its bytes" (size 0 before) and a file still before: not complete,
    // so the recovery truncates the victim back to 0.
    await rewriteJournal(root, () => [
      { name: '../outside', dev: victim.dev, ino: victim.ino, size: 0, bytes: Buffer.from('precious\n') },
      {
        name: 'passwd',
        dev: passwd.dev,
        ino: passwd.ino,
        size: Number(passwd.size),
        bytes: Buffer.from('x:x:1:1::/:/bin/sh\n'),
      },
    ]);
    await openAndClose(root);
    expect(await readFile(outside, 'utf8')).toBe('precious\n');
  }, 60_000);

  it('a hashed journal with a bad field does not stop the accounts from opening', async () => {
    const root = await copyRoot();
    await rewriteJournal(root, () => [{ name: 'passwd', dev: 1n, ino: 1n, size: 1, bytes: Buffer.alloc(0) }]);
    // The same journal with a field BigInt refuses, hashed again.
    const text = (await readFile(journal(root), 'utf8')).split('\n')[1]!.replace('"dev":"1"', '"dev":"one"');
    const { createHash } = await import('node:crypto');
    const head = `licorn-append-journal 1 ${createHash('sha256').update(text).digest('hex')}`;
    await writeFile(journal(root), `${head}\n${text}`);
    await expect(openAndClose(root)).resolves.toBeUndefined();
  }, 60_000);

  it('a journal too big, or with another name (a hard link), is moved aside and never read', async () => {
    for (const make of [
      (path: string) => writeFile(path, Buffer.alloc(65 * 1024, 'x')),
      (path: string) =>
        unlink(path)
          .then(() => writeFile(`${path}.other`, 'x'))
          .then(() => link(`${path}.other`, path)),
    ]) {
      const root = await copyRoot();
      await make(journal(root));
      await expect(openAndClose(root)).resolves.toBeUndefined();
      expect((await lstat(`${journal(root)}.bad`)).isFile()).toBe(true);
      await expectAllBefore(root);
    }
  }, 60_000);
});

describe('an account file that is a symlink', () => {
  it('is not appended through: the create rewrites it as a file, its target keeps its bytes', async () => {
    const root = await copyRoot();
    const target = join(root, 'passwd.real');
    await cp(join(root, 'etc', 'passwd'), target);
    await unlink(join(root, 'etc', 'passwd'));
    await symlink(target, join(root, 'etc', 'passwd'));
    const service = await AccountsService.open({ root, events: new EventBus() });
    await service.createAccount({ login: 'ann', password: null, createHome: false });
    await service.close();
    expect((await lstat(join(root, 'etc', 'passwd'))).isFile()).toBe(true);
    expect(await readFile(join(root, 'etc', 'passwd'), 'utf8')).toContain('\nann:');
    expect((await readFile(target)).equals(before[0]!)).toBe(true);
  }, 60_000);
});
