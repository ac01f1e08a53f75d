import { AccountsService } from './accounts/accounts-service.ts';
import { getMachineProcesses } from './accounts/account-processes.ts';
import { AuditLog } from './audit/audit-log.ts';
import { Authenticator } from './auth/authenticator.ts';
import { EventBus } from './events/event-bus.ts';
import { getSystemInfo, type SystemInfo } from './system/get-system-info.ts';

export interface CoreOptions {
  root: string;
  isRealMachine: boolean;
  pamService: string;
  adminGroups: string[];
  auditFile: string;
}

// The in-process library that owns the machine's state: the web layer and CLI go through it.
export interface Core {
  readonly root: string;
  readonly isRealMachine: boolean;
  readonly events: EventBus;
  readonly auth: Authenticator;
  readonly accounts: AccountsService;
  readonly audit: AuditLog;
  getSystemInfo(): Promise<SystemInfo>;
  close(): Promise<void>;
}

// Starts the core over `root` ("/" or a sandbox that already exists).
export async function createCore(options: CoreOptions): Promise<Core> {
  const events = new EventBus();
  // Only on the real machine do the processes in /proc belong to the accounts.
  const processes = options.isRealMachine ? getMachineProcesses('/proc') : null;
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
  return {
    root: options.root,
    isRealMachine: options.isRealMachine,
    events,
    auth,
    accounts,
    audit,
    getSystemInfo,
    async close() {
      // Finishes the account writes in flight, then stops watching.
      await accounts.close();
      await audit.settle();
    },
  };
}
