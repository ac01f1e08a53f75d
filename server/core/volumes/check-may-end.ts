import type { AccountsService } from '../accounts/accounts-service.ts';
import { getActor, getRefusal } from '../accounts/account-permissions.ts';
import { CoreError } from '../errors.ts';
import type { VolumeActor, VolumeHolder } from './volumes-api.ts';
import { listed, quoted, say } from '../messages.ts';

// Licorn's account rules applied to a force's holders: a member of `admins` may end any
// process (but init and licornd); another administrator (licorn-wmi) only their own and
// those of accounts they may modify — not root's, a daemon's, a system account's nor an admin's
// (red team's L2). A refusal names them and nothing is signalled.
export function checkMayEnd(
  accounts: AccountsService,
  adminGroups: readonly string[],
  actor: VolumeActor,
  holders: VolumeHolder[],
): void {
  const who = getActor((login) => accounts.getAccount(login), actor.login);
  if (who.inAdminsGroup) return;
  const denied = holders.filter((holder) => {
    if (holder.login === actor.login) return false;
    const account = accounts.getAccount(holder.login);
    return !account || getRefusal(who, account, 'modify', adminGroups) !== null;
  });
  if (denied.length === 0) return;
  const named = denied
    .slice(0, 10)
    .map((holder) => say('volumes.holder', { pid: holder.pid, command: holder.command, login: holder.login }));
  throw new CoreError(
    'permission-denied',
    say('volumes.mayNotEnd', { admins: quoted('admins'), holders: listed(named) }),
    { field: 'force' },
  );
}
