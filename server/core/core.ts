import { defaultAccountRanges, setAccountRanges, type AccountRanges } from './accounts/account-ranges.ts';
import { dirname, join } from 'node:path';
import { AccountsService } from './accounts/accounts-service.ts';
import { getMachineProcesses } from './accounts/account-processes.ts';
import { AuditLog } from './audit/audit-log.ts';
import { Authenticator } from './auth/authenticator.ts';
import { EventBus } from './events/event-bus.ts';
import { EventJournal } from './events/event-journal.ts';
import { getSystemInfo, type SystemInfo } from './system/get-system-info.ts';
import { StatusService } from './status/status-service.ts';
import type { VolumesApi } from './volumes/volumes-api.ts';
import type { Deadlines } from './volumes/unresponsive-devices.ts';
import { VolumesService, type VolumesSettings } from './volumes/volumes-service.ts';
import { SharesService } from './shares/shares-service.ts';
import { startNativeShareWatcher } from './shares/native-share-watcher.ts';
import type { StartShareWatcher } from './shares/share-watcher.ts';
import type { InotifyLimits } from './shares/inotify-limits.ts';

export interface CoreOptions {
  root: string;
  isRealMachine: boolean;
  pamService: string;
  adminGroups: string[];
  auditFile: string;
  // Defaults: nothing auto-mounted, Licorn's filesystems only, the state file beside the root.
  volumes?: Partial<VolumesSettings>;
  // How long a tool may take on one device before it counts as not responding (tests).
  volumeDeadlines?: Partial<Deadlines>;
  // Events the journal keeps (events.journal_size; default 5,000), and their bytes (tests).
  journalSize?: number;
  // The most directories the shares' watcher watches (shares.max_watches; 0 or unset: 3/4 of the kernel's limit).
  maxShareWatches?: number;
  journalBytes?: number;
  // Licorn's ID ranges (accounts.*); default: REFERENCE.md's (standard IDs up to 29999).
  accountRanges?: AccountRanges;
  // Where the status history is kept across restarts (status.history_file); none: not kept.
  statusHistoryFile?: string | null;
  // Where the core reports what it goes on without (an unreadable history file).
  warn?: (message: string) => void;
  // The shares' watcher and the inotify limits it is checked against (tests give theirs).
  startShareWatcher?: StartShareWatcher;
  readInotifyLimits?: () => Promise<InotifyLimits | null>;
}

// Where the reserved markers live when the configuration does not say.
function getDefaultVolumesStateFile(root: string): string {
  return root === '/' ? '/var/lib/licorn/volumes.json' : join(dirname(root), 'volumes.json');
}

// The in-process library that owns the machine's state: the web layer and CLI go through it.
export interface Core {
  readonly root: string;
  readonly isRealMachine: boolean;
  readonly events: EventBus;
  // The recent events, numbered, for the events monitor (API, page, CLI).
  readonly journal: EventJournal;
  readonly auth: Authenticator;
  readonly accounts: AccountsService;
  // The standard groups' shares held to their rule, and the members' ~/G links.
  readonly shares: SharesService;
  readonly audit: AuditLog;
  readonly volumes: VolumesApi;
  // The machine's and the daemon's figures, sampled while followed, with their history.
  readonly status: StatusService;
  getSystemInfo(): Promise<SystemInfo>;
  close(): Promise<void>;
}

// Starts the core over `root` ("/" or a sandbox that already exists).
export async function createCore(options: CoreOptions): Promise<Core> {
  const events = new EventBus();
  // First listener of the bus: it numbers every event, those of the start included.
  const journal = new EventJournal(events, { maxEvents: options.journalSize ?? 5000, maxBytes: options.journalBytes });
  // Only on the real machine do the processes in /proc belong to the accounts.
  const processes = options.isRealMachine ? getMachineProcesses('/proc') : null;
  setAccountRanges(options.accountRanges ?? defaultAccountRanges);
  const accounts = await AccountsService.open({ root: options.root, events, processes });
  const auth = new Authenticator({ ...options, accounts });
  const audit = new AuditLog(options.auditFile, events);
  // A homes phase a crash interrupted was settled at open: the audit log says so.
  const { recovery } = accounts;
  if (recovery) {
    await audit.record({
      login: '-',
      address: '-',
      action: 'homes-recovered',
      target: `${recovery.accounts} accounts`,
      outcome: recovery.outcome === 'finished' ? 'done' : 'failed',
      detail: recovery.message,
    });
  }
  const shares = await SharesService.open({
    root: options.root,
    events,
    accounts,
    startWatcher: options.startShareWatcher ?? startNativeShareWatcher,
    readLimits: options.readInotifyLimits,
    maxWatches: options.maxShareWatches,
  });
  const status = await StatusService.open({
    events,
    historyFile: options.statusHistoryFile ?? null,
    warn: options.warn,
    shares,
  });
  const volumes = await VolumesService.open({
    root: options.root,
    isRealMachine: options.isRealMachine,
    events,
    audit,
    accounts,
    adminGroups: options.adminGroups,
    autoMount: options.volumes?.autoMount ?? false,
    mountAllFs: options.volumes?.mountAllFs ?? false,
    enduserOwner: options.volumes?.enduserOwner ?? '',
    stateFile: options.volumes?.stateFile || getDefaultVolumesStateFile(options.root),
    deadlines: options.volumeDeadlines,
  });
  return {
    root: options.root,
    isRealMachine: options.isRealMachine,
    events,
    journal,
    auth,
    accounts,
    shares,
    audit,
    volumes,
    status,
    getSystemInfo,
    async close() {
      await status.close();
      // Finishes the account writes in flight, then stops watching.
      // Volumes first: an action in flight may still read the accounts (the end-user owner).
      await volumes.close();
      // Before the accounts: the links it is making read them.
      await shares.close();
      await accounts.close();
      await audit.settle();
      journal.close();
    },
  };
}
