import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { listProcesses } from '../../server/core/processes/list-processes.ts';

// A process started as a UID (setpriv, no capabilities left), to play an account's running
// process; `wrap` runs before setpriv (nsenter into a test's namespace). Killed by
// `stopProcesses` in afterAll/finally.
export function startProcessAs(
  ids: { uid: number; gid: number },
  command: string[],
  started: ChildProcess[],
): ChildProcess {
  const who = ['--reuid', String(ids.uid), '--regid', String(ids.gid)];
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', ...who, '--clear-groups', '--', ...command], {
    stdio: 'ignore',
  });
  started.push(child);
  return child;
}

// A root process acting as `uid` for a while (a daemon's seteuid): real and saved UID root's,
// effective UID the account's, so that the account may not signal it. It must not exec
// (exec copies the effective UID into the saved one): a Python sleep, `licorn-acting-as <uid>`.
export function startActingAs(uid: number, started: ChildProcess[]): ChildProcess {
  const script = `import os, sys, time\nos.setresuid(0, ${uid}, 0)\ntime.sleep(300)\n`;
  const child = spawn('python3', ['-c', script, 'licorn-acting-as', String(uid)], { stdio: 'ignore' });
  started.push(child);
  return child;
}

// Waits (deadline) until /proc shows a process of `uid` whose command line has `name`; its pid.
export async function waitForProcessOf(uid: number, name: string, deadlineMs = 5000): Promise<number> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const found = await listProcesses('/proc', (id) => id === uid);
    // `name` begins the command, or is a word inside it (python3 -c … licorn-acting-as 20000):
    // not the end of a shell's script, which names the command before it runs it (`sh -c
    // 'trap "" TERM; exec sleep 303'` is not yet the sleep that ignores SIGTERM).
    const match = found.find((info) => info.command.startsWith(name) || info.command.includes(` ${name} `));
    if (match) return match.pid;
    if (Date.now() > end) throw new Error(`no process ${name} of UID ${uid} within ${deadlineMs} ms`);
    await sleep(20);
  }
}

// Whether a started child has exited (with the signal that ended it), within a deadline.
export async function waitForExit(child: ChildProcess, deadlineMs = 5000): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.signalCode ?? child.exitCode;
  return Promise.race([
    new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    ),
    sleep(deadlineMs).then(() => {
      throw new Error(`process ${child.pid} still runs after ${deadlineMs} ms`);
    }),
  ]);
}

// Kills what a test started and is still running.
export function stopProcesses(started: ChildProcess[]): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
