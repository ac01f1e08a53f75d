// Run by crash.test.ts as its own process, to be killed with SIGKILL: opens the accounts of
// the root given in argv[2] and imports 10,000 accounts in one bulk call.
import { AccountsService } from '../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../server/core/events/event-bus.ts';

const service = await AccountsService.open({ root: process.argv[2]!, events: new EventBus() });
const rows = Array.from({ length: 10_000 }, (_, i) => ({
  login: `crash${i}`,
  fullName: `Crash Test ${i}`,
  password: null,
  createHome: false,
  groups: ['developers'],
}));
process.stdout.write('importing\n');
await service.createAccounts(rows);
process.stdout.write('done\n');
await service.close();
