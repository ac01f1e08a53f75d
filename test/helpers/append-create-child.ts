// Run by append-crash.test.ts as its own process: opens the accounts of the root in argv[2]
// and creates the account (no home) or the group (argv[3]) named argv[4]. LICORN_TEST_KILL_AT makes it kill itself at
// a step of the append (append-account-files.ts); under a file size limit (prlimit) the
// append fails and the child says why. Prints `created` or the error's code.
import { AccountsService } from '../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../server/core/events/event-bus.ts';

// Under prlimit --fsize a write past the limit also sends SIGXFSZ, which would kill us
// before the write's EFBIG is seen.
process.on('SIGXFSZ', () => {});
const service = await AccountsService.open({ root: process.argv[2]!, events: new EventBus() });
const [kind, name] = [process.argv[3], process.argv[4]!];
const created =
  kind === 'group'
    ? service.createGroup({ name })
    : service.createAccount({ login: name, password: null, createHome: false });
const outcome = await created.then(
  () => 'created',
  (error: NodeJS.ErrnoException) => error.code ?? error.message,
);
process.stdout.write(`${outcome}\n`);
await service.close();
