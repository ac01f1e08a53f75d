import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, chown } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import {
  startActingAs,
  startProcessAs,
  stopProcesses,
  waitForExit,
  waitForProcessOf,
} from '../../helpers/uid-process.ts';
import { getMachineProcesses } from '../../../server/core/accounts/account-processes.ts';

// Issue 12, item 3: an account whose processes run is not deleted (userdel exits 8), unless
// asked to end them first; a UID that still owns processes or a kept home is never handed
// out again silently. These run against this host's /proc (as licornd on the real machine):
// the processes are real, started as the account's UID with setpriv. Each test uses UIDs
// of its own, high in the range, so that no other process on the host has them.
const canRun = process.getuid?.() === 0;
if (!canRun && process.env.CI === 'true') throw new Error('these tests need root (setpriv to another UID) in CI');

let s: AccountsSandbox;
let sandboxOnly: AccountsSandbox;
const started: ChildProcess[] = [];
// A block of 50 UIDs for this run, away from the demo's (1000–1100) and from other runs
// (the demo's range ends at 29999).
const base = 20000 + Math.floor(Math.random() * 190) * 50;
let gid: number;
beforeAll(async () => {
  s = await createAccountsSandbox({
    processes: getMachineProcesses('/proc', { termWaitMs: 1500, killWaitMs: 1500, pollMs: 25 }),
  });
  sandboxOnly = await createAccountsSandbox();
  gid = s.service.getGroup('users')!.gid;
});
afterEach(() => stopProcesses(started));
afterAll(async () => {
  stopProcesses(started);
  await s?.remove();
  await sandboxOnly?.remove();
});

// The UID of an account made outside, once the service has seen it.
async function waitForAccountUid(login: string): Promise<number> {
  const end = Date.now() + 5000;
  for (;;) {
    const account = s.service.getAccount(login);
    if (account) return account.uid;
    if (Date.now() > end) throw new Error(`${login} not seen within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const passwd = async (sandbox: AccountsSandbox) => readFile(join(sandbox.root, 'etc/passwd'), 'utf8');

describe.skipIf(!canRun)('deleting an account whose processes run', () => {
  it('is refused with its processes named (pid, command, UIDs), and nothing is written', async () => {
    const uid = base;
    await s.service.createAccount({ login: 'busyone', uid, password: null, createHome: false });
    const child = startProcessAs({ uid, gid }, ['sleep', '301'], started);
    const pid = await waitForProcessOf(uid, 'sleep 301');
    const plan = await s.service.getDeletionPlan('busyone');
    expect(plan.processes).toEqual([
      expect.objectContaining({ pid, command: 'sleep 301', realUid: uid, effectiveUid: uid }),
    ]);
    const before = await s.digestEtc();
    await expect(s.service.deleteAccount('busyone')).rejects.toMatchObject({
      code: 'in-use',
      field: 'login',
      message: expect.stringContaining(`${pid} sleep 301 (UID ${uid}, effective ${uid})`),
      details: [{ pid, command: 'sleep 301', login: 'busyone' }],
    });
    // In a bulk deletion, the row at fault is named, and nothing is written either.
    await s.service.createAccount({ login: 'idleone', uid: base + 5, password: null, createHome: false });
    const idle = await s.digestEtc();
    await expect(s.service.deleteAccounts(['idleone', 'busyone'], 'keep')).rejects.toMatchObject({
      code: 'in-use',
      field: 'accounts.1.login',
      details: [{ pid, command: 'sleep 301', login: 'busyone' }],
    });
    expect(await s.digestEtc()).toBe(idle);
    expect(before).not.toBe(idle);
    expect(child.exitCode).toBeNull();
    expect(s.service.getAccount('busyone')).not.toBeNull();
  });

  it('ends them first when asked (SIGTERM, then SIGKILL for one that ignores it), then deletes', async () => {
    const uid = base + 1;
    await s.service.createAccount({ login: 'busytwo', uid, password: null, createHome: false });
    const polite = startProcessAs({ uid, gid }, ['sleep', '302'], started);
    // SIG_IGN survives exec: this sleep ignores SIGTERM.
    const stubborn = startProcessAs({ uid, gid }, ['sh', '-c', 'trap "" TERM; exec sleep 303'], started);
    await waitForProcessOf(uid, 'sleep 302');
    await waitForProcessOf(uid, 'sleep 303');
    const ended: number[] = [];
    const deleted = await s.service.deleteAccount('busytwo', 'archive', undefined, {
      endProcesses: true,
      onProcessesEnded: (_, processes) => {
        ended.push(...processes.map((info) => info.pid));
      },
    });
    // (The stubborn one may have been listed before its shell exec'd sleep: same pid.)
    expect(deleted.endedProcesses.map((info) => info.pid).sort()).toEqual([polite.pid, stubborn.pid].sort());
    expect(deleted.endedCount).toBe(2);
    expect(ended.sort()).toEqual([polite.pid, stubborn.pid].sort());
    expect(await waitForExit(polite)).toBe('SIGTERM');
    expect(await waitForExit(stubborn)).toBe('SIGKILL');
    expect(await passwd(s)).not.toMatch(/^busytwo:/m);
  });

  it('refuses, naming it, when a process acting as the UID cannot be signalled by it (a root daemon)', async () => {
    const uid = base + 2;
    await s.service.createAccount({ login: 'busythree', uid, password: null, createHome: false });
    // Real and saved UID root's, effective the account's: kill -1 as the account cannot reach it.
    const daemon = startActingAs(uid, started);
    const pid = await waitForProcessOf(uid, 'licorn-acting-as');
    const before = await s.digestEtc();
    await expect(
      s.service.deleteAccount('busythree', 'archive', undefined, { endProcesses: true }),
    ).rejects.toMatchObject({
      code: 'in-use',
      message: expect.stringContaining(
        `1 still run as UID ${uid} (not the account's to signal, or unkillable): ${pid}`,
      ),
    });
    expect(await s.digestEtc()).toBe(before);
    expect(daemon.exitCode).toBeNull();
  });

  it('ends no process for a deletion Licorn would refuse (a restricted account)', async () => {
    await expect(s.service.deleteAccount('root', 'keep', undefined, { endProcesses: true })).rejects.toMatchObject({
      code: 'permission-denied',
    });
  });

  it('checks nothing in a sandbox: its accounts are not the machine’s', async () => {
    const uid = base + 3;
    await sandboxOnly.service.createAccount({ login: 'sandboxed', uid, password: null, createHome: false });
    const child = startProcessAs({ uid, gid }, ['sleep', '305'], started);
    await waitForProcessOf(uid, 'sleep 305');
    expect((await sandboxOnly.service.getDeletionPlan('sandboxed')).processes).toEqual([]);
    await sandboxOnly.service.deleteAccount('sandboxed', 'keep');
    expect(child.exitCode).toBeNull();
  });
});

describe.skipIf(!canRun)('a UID that still owns processes or files', () => {
  it('is skipped by the allocator when it owns running processes', async () => {
    const uid = base + 10;
    await s.service.createAccount({ login: 'uidlow', uid, password: null, createHome: false });
    startProcessAs({ uid: uid + 1, gid }, ['sleep', '306'], started);
    await waitForProcessOf(uid + 1, 'sleep 306');
    const { account } = await s.service.createAccount({ login: 'uidnext', password: null, createHome: false });
    expect(account.uid).toBe(uid + 2);
  });

  it('is skipped when a home kept at a deletion owns it, and the kept home is not adopted silently', async () => {
    // The highest UID, made by useradd (the files read again from scratch, as after a restart),
    // its home kept at deletion: the next UID picked would be the same one again.
    await run('useradd', ['--prefix', s.root, '-m', '-N', '-g', 'users', 'keeper']);
    await s.service.settle();
    const uid = await waitForAccountUid('keeper');
    await s.service.deleteAccount('keeper', 'keep');
    const { account } = await s.service.createAccount({ login: 'after', password: null, createHome: false });
    expect(account.uid).toBe(uid + 1);
    const before = await s.digestEtc();
    // A new account over the kept home, without making one, would be handed a directory it does not own.
    await expect(
      s.service.createAccount({ login: 'adopter', home: '/home/keeper', password: null, createHome: false }),
    ).rejects.toMatchObject({
      code: 'conflict',
      field: 'home',
      message: expect.stringContaining(`belongs to UID ${uid}, which no account has`),
    });
    expect(await s.digestEtc()).toBe(before);
    // Taking it over is said: the kept home's UID, given.
    const { account: back } = await s.service.createAccount({
      login: 'keeper',
      uid,
      home: '/home/keeper',
      password: null,
      createHome: false,
    });
    expect(back.uid).toBe(uid);
  });

  it('refuses an explicit UID that owns running processes, naming them', async () => {
    const uid = base + 30;
    startProcessAs({ uid, gid }, ['sleep', '307'], started);
    const pid = await waitForProcessOf(uid, 'sleep 307');
    const before = await s.digestEtc();
    await expect(
      s.service.createAccount({ login: 'explicit', uid, password: null, createHome: false }),
    ).rejects.toMatchObject({ code: 'in-use', field: 'uid', message: expect.stringContaining(`${pid} sleep 307`) });
    expect(await s.digestEtc()).toBe(before);
  });

  // Red team MEDIUM 2: PATCH gave an account a UID whose processes still ran (useradd, a
  // process, userdel -f: the process keeps the UID); the dry run and /validate said nothing.
  it('refuses it to a change of UID (PATCH, bulk modify) and says so in the dry runs, naming them', async () => {
    const uid = base + 31;
    startProcessAs({ uid, gid }, ['sleep', '308'], started);
    const pid = await waitForProcessOf(uid, 'sleep 308');
    await s.service.createAccount({ login: 'patched', uid: base + 32, password: null, createHome: false });
    const before = await s.digestEtc();
    const busy = { code: 'in-use', field: 'uid', message: expect.stringContaining(`${pid} sleep 308`) };
    await expect(s.service.updateAccount('patched', { uid })).rejects.toMatchObject(busy);
    await expect(s.service.modifyAccounts([{ login: 'patched', uid }])).rejects.toMatchObject({
      ...busy,
      field: 'accounts.0.uid',
    });
    expect(await s.digestEtc()).toBe(before);
    // The create form's check and the CSV import's dry run say it before the write does.
    expect(await s.service.checkNewAccount({ login: 'dryrun', uid, password: null })).toEqual([
      {
        field: 'uid',
        message: expect.stringContaining(`${pid} sleep 308`),
        messageKey: 'processes.uidRunning',
        messageParams: expect.objectContaining({ uid }),
      },
    ]);
    const dry = await s.service.importCsv(`login,uid\ndryrow,${uid}\n`, { dryRun: true });
    expect(dry.problems).toEqual([
      {
        row: expect.any(Number),
        field: 'uid',
        message: expect.stringContaining(`${pid}`),
        messageKey: 'processes.uidRunning',
        messageParams: expect.objectContaining({ uid }),
      },
    ]);
    expect(await s.digestEtc()).toBe(before);
  });

  // Red team LOW 7: what ending the processes reaches is listed as such.
  it('lists a process acting as the UID that kill -1 as the account does not reach', async () => {
    const uid = base + 33;
    await s.service.createAccount({ login: 'reached', uid, password: null, createHome: false });
    startActingAs(uid, started);
    const pid = await waitForProcessOf(uid, 'licorn-acting-as');
    const plan = await s.service.getDeletionPlan('reached');
    expect(plan.processes).toEqual([expect.objectContaining({ pid, reach: 'not-signalled' })]);
  });

  it('refuses a kept home owned by another account’s UID too (createHome false)', async () => {
    const dir = join(s.root, 'home/elsewhere');
    await mkdir(dir);
    const other = s.service.getAccount('uidlow')!;
    await chown(dir, other.uid, gid);
    await expect(
      s.service.createAccount({ login: 'elsewhere', password: null, createHome: false }),
    ).rejects.toMatchObject({ code: 'conflict', field: 'home', message: expect.stringContaining('(uidlow)') });
  });
});
