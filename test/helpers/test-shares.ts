import { chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SharesService, type SharesServiceOptions } from '../../server/core/shares/shares-service.ts';
import { startNativeShareWatcher } from '../../server/core/shares/native-share-watcher.ts';
import { createAccountsSandbox, type AccountsSandbox } from './accounts-sandbox.ts';

// An accounts sandbox the shares can be opened over: its directories up to the root opened
// (0755: the sandbox lives in a 0700 temporary directory, which members could not cross to
// their shares), and the standard groups `groups` made.
export async function createSharesSandbox(groups: string[] = []): Promise<AccountsSandbox> {
  const s = await createAccountsSandbox();
  for (let dir = join(s.root, 'home'); dir.startsWith(dirname(s.root)); dir = dirname(dir)) await chmod(dir, 0o755);
  for (const name of groups) await s.service.createGroup({ name });
  return s;
}

// Opens the shares service over a sandbox's accounts: the real native watcher, the inotify
// limits unknown (no warning about them, the default budget none), warnings dropped; `options`
// replaces any of these.
export function openTestShares(
  s: Pick<AccountsSandbox, 'root' | 'bus' | 'service'>,
  options: Partial<SharesServiceOptions> = {},
): Promise<SharesService> {
  return SharesService.open({
    root: s.root,
    events: s.bus,
    accounts: s.service,
    startWatcher: startNativeShareWatcher,
    readLimits: async () => null,
    warn: () => {},
    ...options,
  });
}
