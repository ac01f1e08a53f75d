import { execFile } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSandbox } from './sandbox.ts';
import { EventBus, type CoreEvent } from '../../server/core/events/event-bus.ts';
import { AccountsService } from '../../server/core/accounts/accounts-service.ts';
import type { MachineProcesses } from '../../server/core/accounts/account-processes.ts';

export const run = promisify(execFile);

// A demo root with an AccountsService over it, and every event it emitted.
export interface AccountsSandbox {
  root: string;
  service: AccountsService;
  // The bus the service emits on (a shares service over the sandbox listens here).
  bus: EventBus;
  events: CoreEvent[];
  // Waits (with a deadline) for an event matching `match`.
  waitForEvent(match: (event: CoreEvent) => boolean, what: string, deadlineMs?: number): Promise<CoreEvent>;
  // A digest of every file under etc/: a refused change must leave it identical.
  digestEtc(): Promise<string>;
  remove(): Promise<void>;
}

// `processes`: treat this host's /proc as the accounts' (the real machine's behaviour);
// absent, the sandbox checks no process, as licornd does on a sandbox.
export async function createAccountsSandbox(
  options: { lockTimeoutMs?: number; processes?: MachineProcesses } = {},
): Promise<AccountsSandbox> {
  const sandbox = await createSandbox();
  const { root } = sandbox;
  const bus = new EventBus();
  const events: CoreEvent[] = [];
  const waiters = new Set<() => void>();
  bus.onAny((event) => {
    events.push(event);
    waiters.forEach((wake) => wake());
  });
  const service = await AccountsService.open({
    root,
    events: bus,
    lockTimeoutMs: options.lockTimeoutMs,
    processes: options.processes,
  });
  return {
    root,
    service,
    bus,
    events,
    async waitForEvent(match, what, deadlineMs = 5000) {
      const end = Date.now() + deadlineMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > end)
          throw new Error(`timed out waiting for ${what}; saw ${events.map((e) => e.name).join(', ')}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, end - Date.now()));
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
    },
    async digestEtc() {
      const hash = createHash('sha256');
      for (const name of ['passwd', 'shadow', 'group', 'gshadow', 'passwd-', 'shadow-', 'group-', 'gshadow-']) {
        hash.update(name).update(await readFile(join(root, 'etc', name)).catch(() => Buffer.from('missing')));
      }
      return hash.digest('hex');
    },
    async remove() {
      await service.close();
      await sandbox.remove();
    },
  };
}

// A sandbox made before a file's (or a describe's) tests and removed after them, with
// `create(login)`: an account made without home nor password, answering its UID (the tests
// of which UIDs are handed out).
export function useAccountsSandbox(): { readonly s: AccountsSandbox; create(login: string): Promise<number> } {
  let sandbox: AccountsSandbox | undefined;
  beforeAll(async () => {
    sandbox = await createAccountsSandbox();
  });
  afterAll(() => sandbox?.remove());
  return {
    get s() {
      return sandbox!;
    },
    create: async (login) =>
      (await sandbox!.service.createAccount({ login, password: null, createHome: false })).account.uid,
  };
}
