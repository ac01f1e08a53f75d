import { afterAll, beforeAll } from 'vitest';
import { AccountsStore } from '../../server/core/accounts/accounts-store.ts';
import { EventBus } from '../../server/core/events/event-bus.ts';
import { createAccountsSandbox, type AccountsSandbox } from './accounts-sandbox.ts';

// A bare AccountsStore (no service) over a demo root, for tests of the pure apply* operations on its database.
export interface StoreSandbox {
  readonly store: AccountsStore;
  readonly root: string;
}

// Opens a StoreSandbox before the file's tests and closes and removes it after them; call at a file's top level.
export function useAccountsStore(): StoreSandbox {
  let sandbox: AccountsSandbox | undefined;
  let store: AccountsStore | undefined;
  beforeAll(async () => {
    sandbox = await createAccountsSandbox();
    await sandbox.service.close();
    store = await AccountsStore.open({ root: sandbox.root, events: new EventBus() });
  });
  afterAll(async () => {
    await store?.close();
    await sandbox?.remove();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the accounts store is opened in beforeAll');
    return value;
  };
  return {
    get store() {
      return opened(store);
    },
    get root() {
      return opened(sandbox).root;
    },
  };
}
