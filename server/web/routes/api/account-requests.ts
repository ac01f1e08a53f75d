import type { FastifyInstance, FastifyRequest } from 'fastify';
import { describeProcesses, type ProcessInfo } from '../../../core/accounts/account-processes.ts';
import { getActor, type Actor } from '../../../core/accounts/account-permissions.ts';
import type { AccountView } from '../../../core/accounts/account-view.ts';
import type { Requester } from '../../../core/accounts/membership-rules.ts';
import { CoreError } from '../../../core/errors.ts';
import { quoted, say } from '../../../core/messages.ts';

// What the accounts API's routes ask of a request: who acts, as the rules and the core see them,
// the account named (or a 404), and the audit record of processes ended before a deletion.
export function getAccountRequests(app: FastifyInstance) {
  const { accounts, audit } = app.core;
  const adminGroups = app.config.auth.adminGroups;
  return {
    adminGroups,
    getActorOf: (request: FastifyRequest): Actor =>
      getActor((login) => accounts.getAccount(login), request.session!.login),
    // Who asks: the core applies Licorn's rules inside the transaction, on the files as they are then.
    getRequester: (request: FastifyRequest): Requester => ({ login: request.session!.login, adminGroups }),
    // Ending processes is recorded as it happens, per account: the deletion after it may still fail.
    recordProcessesEnded: (request: FastifyRequest) => (login: string, ended: ProcessInfo[]) =>
      audit.record({
        login: request.session?.login ?? '-',
        address: request.ip,
        action: 'account-processes-end',
        target: login,
        outcome: 'done',
        detail: `${ended.length} processes ended (SIGTERM, then SIGKILL): ${describeProcesses(ended)}`.slice(0, 300),
      }),
    getExisting: (login: string): AccountView => {
      const account = accounts.getAccount(login);
      if (!account)
        throw new CoreError('not-found', say('accounts.notFound', { login: quoted(login) }), { field: 'login' });
      return account;
    },
  };
}
