import { readdir, readFile } from 'node:fs/promises';
import { getStatFields } from '../processes/proc-stat.ts';

// The processes of the Unix session led by `leader` (the terminal's first process: node-pty
// makes it a session leader with the pty as its controlling terminal), from /proc. A shell's
// background jobs and a runuser's shell are in it; what called setsid() itself is not.
export async function getSessionProcesses(leader: number): Promise<number[]> {
  const found: number[] = [];
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // state ppid pgrp session …
    if (Number(getStatFields(stat)[3]) === leader) found.push(Number(entry));
  }
  return found;
}

// Whether a process exists (a zombie counts as gone).
export async function isProcessAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!stat) return false;
  return getStatFields(stat)[0] !== 'Z';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

// Ends the session led by `leader`: SIGHUP to each of its processes (what a terminal that
// hangs up sends), then SIGKILL to what is left after `graceMs`.
export async function killSession(leader: number, graceMs = 2000): Promise<void> {
  const first = await getSessionProcesses(leader);
  for (const pid of [leader, ...first]) signal(pid, 'SIGHUP');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const left = await getSessionProcesses(leader);
    if (left.length === 0 || !(await Promise.all(left.map(isProcessAlive))).some(Boolean)) return;
  }
  for (const pid of await getSessionProcesses(leader)) signal(pid, 'SIGKILL');
}
