import { readdir, readFile } from 'node:fs/promises';

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
}

// The longest command line kept: a listing names a process, it does not archive it.
const maxCommandLength = 200;
// How many /proc entries are read at once: 10,000 processes are read without 10,000 open files.
const batchSize = 128;

// Reads /proc/<pid>/status lines we use; null when the process is gone or is a zombie (it
// runs nothing and cannot be signalled: its parent reaps it).
function parseStatus(text: string): { name: string; uids: number[]; threads: number } | null {
  let name = '';
  let uids: number[] = [];
  let threads = 1;
  for (const line of text.split('\n')) {
    if (line.startsWith('Name:')) name = line.slice(5).trim();
    else if (line.startsWith('State:') && line.slice(6).trim().startsWith('Z')) return null;
    else if (line.startsWith('Uid:')) uids = line.slice(4).trim().split(/\s+/).map(Number);
    else if (line.startsWith('Threads:')) threads = Number(line.slice(8).trim());
  }
  return uids.length === 4 && uids.every(Number.isInteger) ? { name, uids, threads } : null;
}

const readOrNull = (path: string): Promise<string | null> => readFile(path, 'utf8').catch(() => null);

// The UIDs of each thread of a process but the first: a thread may change its own UIDs
// with a raw setuid(2), so a multi-threaded process is read thread by thread.
async function getThreadUids(procDir: string, pid: number): Promise<number[]> {
  const tasks = await readdir(`${procDir}/${pid}/task`).catch(() => [] as string[]);
  const uids: number[] = [];
  for (const task of tasks) {
    if (task === String(pid)) continue;
    const status = await readOrNull(`${procDir}/${pid}/task/${task}/status`);
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
  for (let start = 0; start < pids.length; start += batchSize) {
    const batch = pids.slice(start, start + batchSize);
    const read = await Promise.all(batch.map((pid) => readProcess(procDir, pid, wanted)));
    for (const info of read) if (info) found.push(info);
  }
  return found;
}

async function readProcess(
  procDir: string,
  pid: number,
  wanted: (uid: number) => boolean,
): Promise<ProcessInfo | null> {
  const status = await readOrNull(`${procDir}/${pid}/status`);
  const parsed = status === null ? null : parseStatus(status);
  if (!parsed) return null;
  const uids = parsed.threads > 1 ? [...parsed.uids, ...(await getThreadUids(procDir, pid))] : parsed.uids;
  if (!uids.some(wanted)) return null;
  const cmdline = (await readOrNull(`${procDir}/${pid}/cmdline`)) ?? '';
  // Any control character (NUL between arguments, a newline, an escape) becomes a space: a
  // command line is the process owner's text, shown in messages and logs.
  const command = cmdline.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() || `[${parsed.name}]`;
  const [realUid, effectiveUid, savedUid, fsUid] = parsed.uids as [number, number, number, number];
  return {
    pid,
    realUid,
    effectiveUid,
    savedUid,
    fsUid,
    command: command.length > maxCommandLength ? `${command.slice(0, maxCommandLength)}…` : command,
  };
}
