// Run by share-repair-crash.test.ts as its own process: opens the accounts and shares
// services over the sandbox root given, makes the group `crashcrew` with a tree in its share,
// then switches it permissive and is killed (SIGKILL, by itself) at the very moment the
// switch's commit is heard: before the shares service reacts to it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { startNativeShareWatcher } from '../../../server/core/shares/native-share-watcher.ts';
import { SharesService } from '../../../server/core/shares/shares-service.ts';

const root = process.argv[2]!;
const events = new EventBus();
const accounts = await AccountsService.open({ root, events });
// Before the shares service's own listener: the kill happens first.
events.on('group-changed', ({ data }) => {
  if (data.fields.includes('permissive')) process.kill(process.pid, 'SIGKILL');
});
const shares = await SharesService.open({
  root,
  events,
  accounts,
  startWatcher: startNativeShareWatcher,
  readLimits: async () => null,
  warn: () => {},
});
await accounts.createGroup({ name: 'crashcrew' });
await shares.settle();
for (let i = 0; i < 20; i++) await writeFile(join(root, 'home/groups/crashcrew', `file${i}`), 'x');
process.stdout.write('switching\n');
await accounts.setPermissive('crashcrew', true);
process.stdout.write('not killed\n');
