// Runs inside a private mount namespace whose /etc is a copy and where an nscd of its own
// caches passwd and group (see flush-name-caches.test.ts): creates an account and a group
// on the root `/`, then prints what the name service answers for them right away.
import { execFileSync } from 'node:child_process';
import { AccountsService } from '../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../server/core/events/event-bus.ts';

const [login, group] = [process.argv[2]!, process.argv[3]!];
const getent = (database: string, key: string): string | null => {
  try {
    return execFileSync('getent', [database, key], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
const accounts = await AccountsService.open({ root: '/', events: new EventBus() });
const before = { passwd: getent('passwd', login), group: getent('group', group) };
await accounts.createGroup({ name: group, system: true });
await accounts.createAccount({ login, password: null, createHome: false, system: true });
process.stdout.write(
  JSON.stringify({ before, after: { passwd: getent('passwd', login), group: getent('group', group) } }),
);
await accounts.close();
