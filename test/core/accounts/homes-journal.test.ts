import { spawn } from 'node:child_process';
import { cp, lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import { EventBus, type CoreEvent } from '../../../server/core/events/event-bus.ts';
import { createCore } from '../../../server/core/core.ts';
import { digestTree, listTree } from './tree-digest.ts';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
  // One transaction first, so that what it makes for good (lock file, etc/licorn/) is there.
  await s.service.setLocked('hpetit', false);
  await s.service.close();
});
afterAll(() => s.remove());

const child = join(import.meta.dirname, 'homes-import-child.ts');
const journal = (root: string) => join(root, 'etc/licorn/homes-journal.json');
const homesMade = async (root: string) =>
  (await readdir(join(root, 'home'))).filter((name) => /^homes\d+$/.test(name)).length;

// Starts the bulk create in its own process and SIGKILLs it once it has made `homes` homes.
async function createAndKill(root: string, homes: number): Promise<void> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', child, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => process_.once('exit', () => resolve()));
  await new Promise<void>((resolve) => process_.stdout!.once('data', () => resolve()));
  const deadline = Date.now() + 60_000;
  while ((await homesMade(root)) < homes) {
    if (Date.now() > deadline) throw new Error('the homes phase never started');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  process_.kill('SIGKILL');
  await exited;
}

describe('a daemon killed during the homes phase of a bulk create', () => {
  it('leaves a journal; the next start removes the homes made for accounts never written, and says so', async () => {
    const root = join(s.root, '..', 'homes-crash');
    await cp(s.root, root, { recursive: true });
    // The killed process leaves its shadow-utils lock files (stale: the next writer breaks
    // them, as shadow-utils does); everything else must be as before.
    const skipLocks = (path: string) => /^etc\/(licorn\/)?[^/]+\.lock$/.test(path);
    const before = await digestTree(root, skipLocks);
    const listedBefore = await listTree(root);
    await createAndKill(root, 50);
    expect(await homesMade(root)).toBeGreaterThanOrEqual(50);
    expect((await lstat(journal(root))).isFile()).toBe(true);
    // The accounts were never written: the files are as they were.
    expect(await readFile(join(root, 'etc/passwd'), 'utf8')).not.toMatch(/^homes\d+:/m);

    const events: CoreEvent[] = [];
    const bus = new EventBus();
    bus.onAny((event) => events.push(event));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const service = await AccountsService.open({ root, events: bus });
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(service.recovery).toMatchObject({ outcome: 'rolled-back', accounts: 3000, homes: expect.any(Number) });
    expect(service.recovery!.homes).toBeGreaterThanOrEqual(50);
    expect(events.find((event) => event.name === 'homes-recovered')?.data).toEqual(service.recovery);
    expect(warnings.some((message) => message.includes('interrupted create of 3000 accounts'))).toBe(true);
    await service.close();
    // Nothing of the import is left: the tree is the one before it.
    if ((await digestTree(root, skipLocks)) !== before) {
      const after = await listTree(root);
      const changed = [...new Set([...listedBefore.keys(), ...after.keys()])].filter(
        (path) => !skipLocks(path) && listedBefore.get(path) !== after.get(path),
      );
      expect.fail(
        `changed: ${changed
          .slice(0, 10)
          .map((path) => `${path} ${listedBefore.get(path)} → ${after.get(path)}`)
          .join('; ')}`,
      );
    }
    await rm(root, { recursive: true, force: true });
  }, 120_000);

  it('finishes a journaled create whose accounts were written: missing homes made, and audited', async () => {
    const root = join(s.root, '..', 'homes-finish');
    await cp(s.root, root, { recursive: true });
    const service = await AccountsService.open({ root, events: new EventBus() });
    await service.createAccounts([
      { login: 'fin1', password: null, createHome: false },
      { login: 'fin2', password: null, createHome: false },
    ]);
    const homes = ['fin1', 'fin2'].map((login) => {
      const account = service.getAccount(login)!;
      return { login, uid: account.uid, gid: account.gid, home: account.home };
    });
    await service.close();
    await writeFile(journal(root), JSON.stringify({ started: new Date().toISOString(), homes }));
    const auditFile = join(root, '..', 'homes-finish-audit.log');
    const core = await createCore({
      root,
      isRealMachine: false,
      pamService: 'licorn',
      adminGroups: ['admins'],
      auditFile,
    });
    expect(core.accounts.recovery).toMatchObject({ outcome: 'finished', accounts: 2, homes: 2 });
    for (const { home } of homes)
      expect((await readdir(join(root, home))).sort()).toEqual((await readdir(join(root, 'etc/skel'))).sort());
    await expect(lstat(journal(root))).rejects.toMatchObject({ code: 'ENOENT' });
    await core.close();
    const audit = (await readFile(auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(audit.at(-1)).toMatchObject({
      action: 'homes-recovered',
      outcome: 'done',
      detail: expect.stringContaining('2 missing homes were made'),
    });
    await rm(root, { recursive: true, force: true });
  }, 60_000);
});
