import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import { listProcesses, type ProcessInfo } from '../processes/list-processes.ts';
import { defaultEndTimings, endProcesses, type EndTimings } from '../processes/end-processes.ts';
import type { PasswdEntry } from './parse-passwd.ts';
import { getKeptHomes } from './kept-homes.ts';
import type { HomeOwners } from './home-owners.ts';
import { type CoreMessage, listed, quoted, renderMessage, say } from '../messages.ts';

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
export function sayProcesses(processes: readonly ProcessInfo[]): CoreMessage {
  const named = processes.slice(0, namedInMessage).map((info) =>
    say('processes.one', {
      pid: info.pid,
      command: info.command,
      uid: info.realUid,
      effective: info.effectiveUid,
    }),
  );
  const more = processes.length - named.length;
  return more > 0
    ? say('processes.more', { named: listed(named), count: more })
    : say('processes.list', { named: listed(named) });
}

// The same in English, for the audit log.
export function describeProcesses(processes: readonly ProcessInfo[]): string {
  return renderMessage(sayProcesses(processes), 'en');
}

// An 'in-use' refusal's `details`: the processes that hold the account, as a volume's holders
// are listed (the API answers them as `holders`), each with the login it runs as.
export function getHolders(processes: readonly ProcessInfo[], login: string): ProcessHolder[] {
  return processes.map((info) => ({ pid: info.pid, command: info.command, login }));
}

// One process an 'in-use' refusal names (the shape of the volumes' holders).
export interface ProcessHolder {
  pid: number;
  command: string;
  login: string;
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
    const message = say('processes.accountBusy', {
      login: quoted(account.login),
      uid: account.uid,
      count: own.length,
      processes: sayProcesses(own),
    });
    const details = getHolders(own, account.login);
    throw onRow(new CoreError('in-use', message, { field: 'login', details }), row);
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
    const message = say('processes.notEnded', {
      ended: found.length - left.length,
      login: quoted(account.login),
      left: left.length,
      uid: account.uid,
      processes: sayProcesses(left),
    });
    throw new CoreError('in-use', message, { field: 'login', details: getHolders(left, account.login) });
  }
  return found;
}

// How ending an account's processes reaches a process. The kernel's kill(-1), sent with the
// account's real and effective UID, signals every process whose real or saved UID is the
// account's (kill(2)'s permission rule): `own` ones, and `as-other` ones whose effective UID
// differs: su, sudo, passwd run by the account, sessions it opened as another account;
// su and sudo pass the signal on to what they run, listed as `relayed` (not the account's,
// ended through them). A process that holds the UID only as its effective, filesystem or a
// thread's UID (a root daemon's seteuid) is `not-signalled`: it refuses the deletion.
export type ProcessReach = 'own' | 'as-other' | 'relayed' | 'not-signalled';

// A process a deletion plan lists, with how ending the account's processes reaches it.
export interface PlannedProcess extends ProcessInfo {
  reach: ProcessReach;
}

// How kill(-1) as `uid` reaches `info` (see ProcessReach; `relayed` is found by the caller).
export function getReach(info: ProcessInfo, uid: number): ProcessReach {
  if (info.realUid !== uid && info.savedUid !== uid) return 'not-signalled';
  return info.effectiveUid === uid ? 'own' : 'as-other';
}

// The processes a deletion of `account` meets, each with its reach: its own (any UID of
// theirs is the account's) and what its su/sudo sessions run (their descendants, read in a
// second listing only when there are such sessions). One listing of /proc otherwise.
export async function getPlannedProcesses(
  machine: MachineProcesses | null,
  account: Pick<PasswdEntry, 'uid'>,
): Promise<PlannedProcess[]> {
  const own = await getAccountProcesses(machine, [account]);
  const planned: PlannedProcess[] = own.map((info) => ({ ...info, reach: getReach(info, account.uid) }));
  const relays = new Set(planned.filter((info) => info.reach === 'as-other').map((info) => info.pid));
  if (!machine || relays.size === 0) return planned;
  const listed = new Set(planned.map((info) => info.pid));
  const all = await listProcesses(machine.procDir);
  const byPid = new Map(all.map((info) => [info.pid, info]));
  // A process is relayed to when one of its ancestors is a relay (bounded walk: a PID loop
  // from a reused PID ends it).
  const isRelayed = (info: ProcessInfo): boolean => {
    let parent = info.ppid;
    for (let depth = 0; depth < 64 && parent > 1; depth += 1) {
      if (relays.has(parent)) return true;
      parent = byPid.get(parent)?.ppid ?? 0;
    }
    return false;
  };
  for (const info of all) if (!listed.has(info.pid) && isRelayed(info)) planned.push({ ...info, reach: 'relayed' });
  return planned;
}

// The UIDs no account has that are still held (getUidsInUse): by running processes (any of
// their UIDs), by a directory under the homes base (home-owners.ts), by a home a deletion
// kept anywhere else (kept-homes.ts).
export class UidsInUse {
  readonly #processes: ReadonlyMap<number, ProcessInfo[]>;
  readonly #kept: ReadonlySet<number>;
  readonly #homes: HomeOwners;

  constructor(processes: ReadonlyMap<number, ProcessInfo[]>, kept: ReadonlySet<number>, homes: HomeOwners) {
    this.#processes = processes;
    this.#kept = kept;
    this.#homes = homes;
  }

  // Whether `uid` is held by anything.
  has(uid: number): boolean {
    return this.#processes.has(uid) || this.#kept.has(uid) || this.#homes.owns(uid);
  }

  // The processes running as `uid` (none in a sandbox).
  processesOf(uid: number): readonly ProcessInfo[] {
    return this.#processes.get(uid) ?? [];
  }
}

// The UIDs in use outside the account files, so that a new account is never given one
// silently: the real machine's processes, and the owners of the directories under the homes
// base (in a sandbox too: its homes are its own), read again only where they changed since
// `homes` last read them (home-owners.ts).
export async function getUidsInUse(
  machine: MachineProcesses | null,
  root: string,
  homeBase: string,
  homes: HomeOwners,
  etcDir = join(root, 'etc'),
): Promise<UidsInUse> {
  const processes = new Map<number, ProcessInfo[]>();
  for (const info of machine ? await listProcesses(machine.procDir) : []) {
    for (const uid of new Set(getUids(info))) {
      if (uid === 0) continue;
      const list = processes.get(uid);
      if (list) list.push(info);
      else processes.set(uid, [info]);
    }
  }
  await homes.read(join(root, homeBase));
  const kept = new Set<number>();
  for (const home of await getKeptHomes(root, etcDir)) if (home.uid !== 0) kept.add(home.uid);
  return new UidsInUse(processes, kept, homes);
}
