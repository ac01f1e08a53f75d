// Runs inside a private mount namespace whose /etc is a copy (see pam-checker.test.ts):
// authenticates each attempt given as JSON in argv[2] through PAM and prints the outcomes.
import { Authenticator } from '../../server/core/auth/authenticator.ts';

const attempts = JSON.parse(process.argv[2]!) as { login: string; password: string }[];
const auth = new Authenticator({ root: '/', isRealMachine: true, pamService: 'licorn', adminGroups: ['admins', 'licorn-wmi', 'sudo'] });
const outcomes = await Promise.all(attempts.map(({ login, password }) => auth.authenticate(login, password, '127.0.0.1')));
process.stdout.write(JSON.stringify(outcomes.map((outcome) => (outcome.ok ? { ok: true, isAdmin: outcome.account.isAdmin } : outcome))));
