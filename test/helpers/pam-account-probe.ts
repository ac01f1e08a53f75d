// Runs inside a private mount namespace whose /etc is a copy (see pam-account-stage.test.ts):
// runs the account checks of a caller without a password for each login in argv[2].
import { Authenticator } from '../../server/core/auth/authenticator.ts';
import { AccountsService } from '../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../server/core/events/event-bus.ts';

const logins = JSON.parse(process.argv[2]!) as string[];
const accounts = await AccountsService.open({ root: '/', events: new EventBus() });
const auth = new Authenticator({ accounts, isRealMachine: true, pamService: 'licorn', adminGroups: ['admins'] });
const verdicts = await Promise.all(logins.map((login) => auth.checkAccountStage(login, 'local:uid=0,pid=1')));
process.stdout.write(JSON.stringify(verdicts));
await accounts.close();
