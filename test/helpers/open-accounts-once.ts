import { AccountsService } from '../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../server/core/events/event-bus.ts';

// Opens the accounts of `root` (which settles a journal left behind), runs `work` on them if
// given, and closes them. With `primeAccounts`, the tests of the files' bytes have what a
// first transaction makes for good (etc/licorn/, the append journal, the lock file) before
// they read "before".
export async function openAccountsOnce(root: string, work?: (service: AccountsService) => Promise<void>) {
  const service = await AccountsService.open({ root, events: new EventBus() });
  try {
    await work?.(service);
  } finally {
    await service.close();
  }
}

// Runs one harmless transaction on `root` (hpetit unlocked, as it is).
export function primeAccounts(root: string): Promise<void> {
  return openAccountsOnce(root, (service) => service.setLocked('hpetit', false));
}
