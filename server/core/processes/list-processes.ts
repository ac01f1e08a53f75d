import { closeSync, openSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

// A running process and the ids /proc/<pid>/status gives it: the real, effective, saved and
// filesystem UIDs (any of them lets it act as, or become again, that UID).
export interface ProcessInfo {
  pid: number;
  realUid: number;
  effectiveUid: number;
  savedUid: number;
  fsUid: number;
  // Its command line (its name in brackets when it has none, as ps shows a kernel thread).
  command: string;
  // UIDs its other threads hold beyond those (a raw setuid(2) in one thread); usually none.
  threadUids: number[];
  // Its parent's PID (0 for the first process).
  ppid: number;
}

// The longest command line kept: a listing names a process, it does not archive it.
const maxCommandLength = 200;
// How many processes are read between two turns of the event loop. /proc files are read
// synchronously (one open, read, close each; no thread pool round trip): 5,000 processes
// took 1–1.6 s with a promise per file, about a fifth of that so, in slices of a few ms.
const batchSize = 128;
// The most read of a /proc file: a status is about 1.5 kB; a command line may be 2 MB, the
// process owner's choice, and only its start is shown.
const maxRead = 4096;

// A count of /proc files read, shared by one listing: every `batchSize` reads (processes or
// threads: one process may have 30,000 threads) it yields to the event loop.
interface ReadBudget {
  reads: number;
}

async function spend(budget: ReadBudget): Promise<void> {
  budget.reads += 1;
  if (budget.reads % batchSize === 0) await yieldToLoop();
}

// What the process's owner wrote, made safe to show: C0 and C1 controls, DEL, line and
// paragraph separators and every format character (Unicode Cf: the bidi overrides and
// isolates U+202A–E and U+2066–9, the marks U+200E/F, zero-width characters) become a
// space. A command line or a process name is its owner's text, shown in the deletion plan,
// the page, an error message and the audit log; a right-to-left override would let the
// owner decide how the line an administrator confirms reads.
export function sanitizeProcessText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/gu, ' ');
}

// Reads /proc/<pid>/status lines we use; null when the process is gone or is a zombie (it
// runs nothing and cannot be signalled: its parent reaps it).
function parseStatus(text: string): { name: string; uids: number[]; threads: number; ppid: number } | null {
  // Only three lines matter: found by their key, not by splitting 60 lines (10,000 processes).
  const field = (key: string): string | null => {
    const at = text.indexOf(`\n${key}:`);
    if (at < 0) return null;
    const end = text.indexOf('\n', at + 1);
    return text.slice(at + key.length + 2, end < 0 ? undefined : end).trim();
  };
  if (field('State')?.startsWith('Z')) return null;
  const uids = (field('Uid') ?? '').split(/\s+/).map(Number);
  const name = text.startsWith('Name:') ? text.slice(5, text.indexOf('\n')).trim() : '';
  const threads = Number(field('Threads') ?? '1');
  const ppid = Number(field('PPid') ?? '0') || 0;
  return uids.length === 4 && uids.every(Number.isInteger) ? { name, uids, threads, ppid } : null;
}

// The start of a /proc file, or null when the process is gone (or the file unreadable).
function readOrNull(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(maxRead);
    const length = readSync(fd, buffer, 0, maxRead, null);
    return buffer.toString('utf8', 0, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

// The UIDs of each thread of a process but the first: a thread may change its own UIDs
// with a raw setuid(2), so a multi-threaded process is read thread by thread, yielding to
// the event loop as the listing's budget says (15,000 threads took 0.4–0.9 s in one turn).
async function getThreadUids(procDir: string, pid: number, budget: ReadBudget): Promise<number[]> {
  const tasks = await readdir(`${procDir}/${pid}/task`).catch(() => [] as string[]);
  const uids: number[] = [];
  for (const task of tasks) {
    if (task === String(pid)) continue;
    await spend(budget);
    const status = readOrNull(`${procDir}/${pid}/task/${task}/status`);
    const parsed = status === null ? null : parseStatus(status);
    if (parsed) uids.push(...parsed.uids);
  }
  return uids;
}

// Every live process whose UIDs (any of real, effective, saved, filesystem, of any thread)
// `wanted` accepts, read from `procDir` (/proc on the real machine). A process that ends
// while it is read is skipped. Without `wanted`, every process.
export async function listProcesses(
  procDir: string,
  wanted: (uid: number) => boolean = () => true,
): Promise<ProcessInfo[]> {
  const pids = (await readdir(procDir)).filter((name) => /^[0-9]+$/.test(name)).map(Number);
  const found: ProcessInfo[] = [];
  const budget: ReadBudget = { reads: 0 };
  for (const pid of pids) {
    await spend(budget);
    const info = await readProcess(procDir, pid, wanted, budget);
    if (info) found.push(info);
  }
  return found;
}

async function readProcess(
  procDir: string,
  pid: number,
  wanted: (uid: number) => boolean,
  budget: ReadBudget,
): Promise<ProcessInfo | null> {
  const status = readOrNull(`${procDir}/${pid}/status`);
  const parsed = status === null ? null : parseStatus(status);
  if (!parsed) return null;
  const own = new Set(parsed.uids);
  const threadUids =
    parsed.threads > 1 ? [...new Set(await getThreadUids(procDir, pid, budget))].filter((id) => !own.has(id)) : [];
  if (!parsed.uids.some(wanted) && !threadUids.some(wanted)) return null;
  const cmdline = readOrNull(`${procDir}/${pid}/cmdline`) ?? '';
  // NUL between arguments, any control or format character becomes a space (sanitizeProcessText).
  const command = sanitizeProcessText(cmdline).trim() || `[${sanitizeProcessText(parsed.name).trim()}]`;
  const [realUid, effectiveUid, savedUid, fsUid] = parsed.uids as [number, number, number, number];
  return {
    pid,
    realUid,
    effectiveUid,
    savedUid,
    fsUid,
    threadUids,
    ppid: parsed.ppid,
    command: command.length > maxCommandLength ? `${command.slice(0, maxCommandLength)}…` : command,
  };
}
