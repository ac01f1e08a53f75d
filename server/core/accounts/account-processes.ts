import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import { listProcesses, type ProcessInfo } from '../processes/list-processes.ts';
import { defaultEndTimings, endProcesses, type EndTimings } from '../processes/end-processes.ts';
import type { PasswdEntry } from './parse-passwd.ts';
import { quote } from './validate-fields.ts';

// The machine's processes as the accounts see them. Only on the real machine do the
// processes in /proc belong to the accounts; a sandbox's accounts are not the machine's
// (the UIDs in /proc are the host's), so a sandbox has none of this (null) and checks nothing.
export interface MachineProcesses {
  procDir: string;
  timings: EndTimings;
}

export type { ProcessInfo } from '../processes/list-processes.ts';

// The processes of the real machine, read from /proc.
export function getMachineProcesses(procDir = '/proc', timings = defaultEndTimings): MachineProcesses {
  return { procDir, timings };
}

// How many processes an error message names; the deletion plan lists them all.
const namedInMessage = 10;

// "4242 sleep 600 (UID 1001, effective 1001), …": the processes an error names.
export function describeProcesses(processes: readonly ProcessInfo[]): string {
  const named = processes
    .slice(0, namedInMessage)
    .map((info) => `${info.pid} ${info.command} (UID ${info.realUid}, effective ${info.effectiveUid})`);
  const more = processes.length - named.length;
  return named.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

// The processes running as any of `accounts`' UIDs (none in a sandbox).
export async function getAccountProcesses(
  machine: MachineProcesses | null,
  accounts: readonly Pick<PasswdEntry, 'uid'>[],
): Promise<ProcessInfo[]> {
  if (!machine || accounts.length === 0) return [];
  const uids = new Set(accounts.map((account) => account.uid));
  return listProcesses(machine.procDir, (uid) => uids.has(uid));
}

// Refuses to delete accounts whose processes still run, as userdel does (exit 8): they would
// keep running under a UID the next account created could get, and then signal them. One
// reading of /proc for all of them (a bulk deletion holds the files' lock meanwhile); the
// refusal names the first busy account's row (`onRow` turns it into the row's error).
export async function checkNotBusy(
  machine: MachineProcesses | null,
  accounts: readonly PasswdEntry[],
  onRow: (error: CoreError, row: number) => unknown = (error) => error,
): Promise<void> {
  const processes = await getAccountProcesses(machine, accounts);
  if (processes.length === 0) return;
  for (const [row, account] of accounts.entries()) {
    const own = processes.filter((info) => getUids(info).includes(account.uid));
    if (own.length === 0) continue;
    const message =
      `The account ${quote(account.login)} (UID ${account.uid}) still has ${own.length} running ` +
      `process${own.length === 1 ? '' : 'es'}: ${describeProcesses(own)}; ` +
      'end them first, or ask to end its processes then delete (endProcesses)';
    throw onRow(new CoreError('busy', message, { field: 'login' }), row);
  }
}

// Every UID a process holds (its own four, and its other threads').
const getUids = (info: ProcessInfo): number[] => [
  info.realUid,
  info.effectiveUid,
  info.savedUid,
  info.fsUid,
  ...info.threadUids,
];

// Ends an account's processes (SIGTERM, a bounded wait, SIGKILL) before its deletion; what
// was found. Refused when some are still there at the end, naming them and what was ended.
export async function endAccountProcesses(machine: MachineProcesses, account: PasswdEntry): Promise<ProcessInfo[]> {
  const { found, left } = await endProcesses(machine.procDir, account.uid, account.gid, machine.timings);
  if (left.length > 0) {
    const message =
      `Ended ${found.length - left.length} processes of ${quote(account.login)}, but ${left.length} still ` +
      `run as UID ${account.uid} (not the account's to signal, or unkillable): ${describeProcesses(left)}; ` +
      'the account was not deleted';
    throw new CoreError('busy', message, { field: 'login' });
  }
  return found;
}

// What still holds a UID that no account has: running processes (any of their UIDs) and
// directories under the homes base it owns (a home kept at a deletion).
export interface UidUse {
  processes: ProcessInfo[];
  directories: string[];
}

// The UIDs in use outside the account files, so that a new account is never given one
// silently: the real machine's processes, and the owners of the directories under the homes
// base (in a sandbox too: its homes are its own).
export async function getUidsInUse(
  machine: MachineProcesses | null,
  root: string,
  homeBase: string,
): Promise<Map<number, UidUse>> {
  const uses = new Map<number, UidUse>();
  const useOf = (uid: number): UidUse => {
    let use = uses.get(uid);
    if (!use) uses.set(uid, (use = { processes: [], directories: [] }));
    return use;
  };
  for (const info of machine ? await listProcesses(machine.procDir) : []) {
    for (const uid of new Set(getUids(info))) if (uid !== 0) useOf(uid).processes.push(info);
  }
  const names = await readdir(join(root, homeBase)).catch(() => [] as string[]);
  // Read in batches: 10,000 homes without 10,000 calls at once.
  for (let start = 0; start < names.length; start += 128) {
    const batch = names.slice(start, start + 128);
    const stats = await Promise.all(batch.map((name) => lstat(join(root, homeBase, name)).catch(() => null)));
    for (const [index, stat] of stats.entries())
      if (stat?.isDirectory() && stat.uid !== 0) useOf(stat.uid).directories.push(`${homeBase}/${batch[index]}`);
  }
  return uses;
}
