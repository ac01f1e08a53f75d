// Runs inside a private mount namespace whose /etc is a copy (see pam-checker.test.ts):
// authenticates each attempt given as JSON in argv[2] through PAM and prints the outcomes.
import { Authenticator } from '../../server/core/auth/authenticator.ts';
import { AccountsService } from '../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../server/core/events/event-bus.ts';

const attempts = JSON.parse(process.argv[2]!) as { login: string; password: string }[];
const accounts = await AccountsService.open({ root: '/', events: new EventBus() });
const auth = new Authenticator({
  accounts,
  isRealMachine: true,
  pamService: 'licorn',
  adminGroups: ['admins', 'licorn-wmi', 'sudo'],
});
const outcomes = await Promise.all(
  attempts.map(({ login, password }) => auth.authenticate(login, password, '127.0.0.1')),
);
process.stdout.write(
  JSON.stringify(outcomes.map((outcome) => (outcome.ok ? { ok: true, isAdmin: outcome.account.isAdmin } : outcome))),
);
await accounts.close();
