import { readFileSync } from 'node:fs';

// The fields of a /proc/<pid>/stat text after the command's closing parenthesis (a command
// may hold spaces and parentheses): state ppid pgrp session … (index 0 is field 3 of proc(5)).
export function getStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

// When process `pid` started (ms since the epoch, to about a second), or null when /proc
// cannot say: its start in clock ticks since boot (proc(5)'s field 22, in USER_HZ, 100 a
// second on Linux) after the boot time (/proc/stat's btime, in seconds).
export function getProcessStartMs(pid: number): number | null {
  try {
    const ticks = Number(getStatFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && bootSeconds > 0 ? bootSeconds * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}
