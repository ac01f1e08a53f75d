import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Counts the /proc files opened, to see how many are read in one turn of the event loop.
const opened = vi.hoisted(() => ({ count: 0, paths: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const openSync = ((...args: Parameters<typeof fs.openSync>) => {
    opened.count += 1;
    opened.paths.push(String(args[0]));
    return fs.openSync(...args);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, openSync }, openSync };
});

const { listProcesses, sanitizeProcessText } = await import('../../../server/core/processes/list-processes.ts');
const { getPlannedProcesses, getMachineProcesses } = await import('../../../server/core/accounts/account-processes.ts');
const { createAccountsSandbox } = await import('../../helpers/accounts-sandbox.ts');

// Issue 12's red team (LOW 5, 6, 7), against a /proc written by the test: its processes are
// whatever the test says, so a 3,000-thread process, a command line with bidi overrides and
// su run by an account need no real process.
let dir: string;
const status = (name: string, ppid: number, uids: number[], threads = 1) =>
  `Name:\t${name}\nState:\tS (sleeping)\nPPid:\t${ppid}\nUid:\t${uids.join('\t')}\nThreads:\t${threads}\n`;
async function addProcess(pid: number, name: string, ppid: number, uids: number[], cmdline: string, tasks = 1) {
  const base = join(dir, String(pid));
  await mkdir(join(base, 'task'), { recursive: true });
  await writeFile(join(base, 'status'), status(name, ppid, uids, tasks));
  await writeFile(join(base, 'cmdline'), cmdline);
  for (let task = 0; task < tasks; task += 1) {
    const tid = task === 0 ? pid : pid * 10_000 + task;
    await mkdir(join(base, 'task', String(tid)));
    await writeFile(join(base, 'task', String(tid), 'status'), status(name, ppid, uids, tasks));
  }
}
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-fake-proc-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('listing processes from /proc', () => {
  it('reads a process of 3,000 threads over many turns of the event loop, not in one', async () => {
    await addProcess(7, 'python3', 1, [4000, 4000, 4000, 4000], 'python3\0-c\0threads', 3000);
    let last = opened.count;
    let most = 0;
    let listing = true;
    const tick = () => {
      most = Math.max(most, opened.count - last);
      last = opened.count;
      if (listing) setImmediate(tick);
    };
    setImmediate(tick);
    const found = await listProcesses(dir, (uid) => uid === 4000).finally(() => {
      listing = false;
    });
    tick();
    expect(found.map((info) => info.pid)).toEqual([7]);
    // 128 reads a turn (and the command line): before, all 3,000 statuses in one turn.
    expect(most).toBeLessThanOrEqual(130);
    await rm(join(dir, '7'), { recursive: true });
  });

  it('replaces bidi, format and C1 characters in command lines and process names', async () => {
    const hostile =
      'sleep\u0000412\u202eexe.txt\u2066\u2067\u2068\u2069\u200e\u200f\u200b\u0085\u009b\u2028\u2029\ufeffend';
    await addProcess(8, 'sleep', 1, [4001, 4001, 4001, 4001], hostile);
    // No command line (a kernel thread, or one that cleared it): its name, from the owner too.
    await addProcess(9, 'x\u202eyz', 1, [4001, 4001, 4001, 4001], '');
    const found = await listProcesses(dir, (uid) => uid === 4001);
    const commands = found.map((info) => info.command).sort();
    expect(commands).toEqual(['[x yz]', `sleep 412 exe.txt${' '.repeat(12)}end`].sort());
    for (const command of commands) expect(command).not.toMatch(/[\p{Cf}\u0080-\u009f\u2028\u2029]/u);
    expect(sanitizeProcessText('a\u202eb')).toBe('a b');
    await rm(join(dir, '8'), { recursive: true });
    await rm(join(dir, '9'), { recursive: true });
  });
});

describe('what ending an account’s processes reaches', () => {
  it('lists su/sudo run by the account and what they run, and what kill -1 as the account misses', async () => {
    const uid = 4002;
    await addProcess(20, 'bash', 1, [uid, uid, uid, uid], 'bash');
    // su run by the account: real UID the account's, effective root (kill -1 reaches it).
    await addProcess(21, 'su', 20, [uid, 0, 0, 0], 'su\0other');
    // The other account's shell su runs: not the account's, ended when su passes SIGTERM on.
    await addProcess(22, 'bash', 21, [4003, 4003, 4003, 4003], '-bash');
    await addProcess(23, 'vim', 22, [4003, 4003, 4003, 4003], 'vim\0notes');
    // A root daemon acting as the UID (seteuid): kill -1 as the account does not reach it.
    await addProcess(24, 'daemon', 1, [0, uid, 0, uid], 'daemon');
    // Someone else's process, unrelated.
    await addProcess(25, 'bash', 1, [4003, 4003, 4003, 4003], 'bash');
    const planned = await getPlannedProcesses(getMachineProcesses(dir), { uid });
    const reach = Object.fromEntries(planned.map((info) => [info.pid, info.reach]));
    expect(reach).toEqual({ 20: 'own', 21: 'as-other', 22: 'relayed', 23: 'relayed', 24: 'not-signalled' });
  });
});

describe('the account page’s deletion plans', () => {
  it('come from one reading of /proc for both home choices', async () => {
    const sandbox = await createAccountsSandbox({ processes: getMachineProcesses(dir) });
    try {
      const { account } = await sandbox.service.createAccount({ login: 'planned', password: null, createHome: false });
      await addProcess(30, 'sleep', 1, [account.uid, account.uid, account.uid, account.uid], 'sleep\u0000430');
      opened.paths.length = 0;
      const plans = await sandbox.service.getDeletionPlans('planned', ['archive', 'remove']);
      expect(plans.map((plan) => [plan.asked, plan.processCount])).toEqual([
        ['archive', 1],
        ['remove', 1],
      ]);
      expect(opened.paths.filter((path) => path === join(dir, '30', 'status'))).toHaveLength(1);
    } finally {
      await sandbox.remove();
      await rm(join(dir, '30'), { recursive: true, force: true });
    }
  });
});
