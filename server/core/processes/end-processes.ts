import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { listProcesses, type ProcessInfo } from './list-processes.ts';

// How long ending an account's processes may take: SIGTERM and a wait for them to go, then
// SIGKILL (repeated: a process may fork while the signal goes round) and a wait.
export interface EndTimings {
  termWaitMs: number;
  killWaitMs: number;
  pollMs: number;
}

export const defaultEndTimings: EndTimings = { termWaitMs: 3000, killWaitMs: 2000, pollMs: 100 };

// Sends `signal` to every process `uid` may signal, as that UID: `kill -1` run under
// setpriv with the account's real and effective UID (no capabilities left). The kernel
// picks the processes when the signal goes (their real or saved UID is the account's),
// so a PID reused by another user's process since it was listed is never hit, and a
// process forked meanwhile is.
function signalAs(uid: number, gid: number, signal: 'TERM' | 'KILL'): Promise<void> {
  // procps' kill takes `-TERM -1` (not `-s TERM -- -1`): the signal first, then pid -1.
  const args = [
    '--reuid',
    String(uid),
    '--regid',
    String(gid),
    '--clear-groups',
    '--',
    '/bin/kill',
    `-${signal}`,
    '-1',
  ];
  return new Promise((resolve) => {
    // kill says "no such process" when there was none left: not an error here.
    execFile('setpriv', args, { timeout: 5000 }, () => resolve());
  });
}

// Waits until `uid` owns no process, or `ms` pass; what is left.
async function waitGone(procDir: string, uid: number, ms: number, pollMs: number): Promise<ProcessInfo[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = await listProcesses(procDir, (id) => id === uid);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await sleep(pollMs);
  }
}

// Ends the processes of `uid`: SIGTERM, a bounded wait, then SIGKILL until none is left
// or the time is up. Returns those found at first and those still there at the end (a
// process acting as the UID that the UID may not signal, such as a root daemon's seteuid,
// is left: the caller refuses then).
export async function endProcesses(
  procDir: string,
  uid: number,
  gid: number,
  timings: EndTimings = defaultEndTimings,
): Promise<{ found: ProcessInfo[]; left: ProcessInfo[] }> {
  const found = await listProcesses(procDir, (id) => id === uid);
  if (found.length === 0) return { found, left: [] };
  await signalAs(uid, gid, 'TERM');
  let left = await waitGone(procDir, uid, timings.termWaitMs, timings.pollMs);
  const deadline = Date.now() + timings.killWaitMs;
  while (left.length > 0 && Date.now() < deadline) {
    await signalAs(uid, gid, 'KILL');
    left = await waitGone(procDir, uid, Math.min(500, timings.killWaitMs), timings.pollMs);
  }
  return { found, left };
}
