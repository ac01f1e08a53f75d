// Run by homes-journal.test.ts as its own process, to be killed with SIGKILL during the homes
// phase: opens the accounts of the root given in argv[2] and creates 3,000 accounts with homes
// in one bulk call.
import { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';

const service = await AccountsService.open({ root: process.argv[2]!, events: new EventBus() });
const rows = Array.from({ length: 3000 }, (_, i) => ({ login: `homes${i}`, password: null, groups: ['developers'] }));
process.stdout.write('importing\n');
await service.createAccounts(rows);
process.stdout.write('done\n');
await service.close();
