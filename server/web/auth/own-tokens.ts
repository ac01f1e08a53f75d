import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiToken } from '../../core/auth/api-token-store.ts';
import { CoreError } from '../../core/errors.ts';
import { runAudited } from '../accounts/audited.ts';
import { quoted, say } from '../../core/messages.ts';

// An API token as the API and "My account" show it.
export interface TokenView {
  id: string;
  name: string;
  created: string;
  lastUsed: string | null;
}

// A token's public face (dates as ISO strings).
export function getTokenView(token: ApiToken): TokenView {
  const lastUsed = token.lastUsedAt === null ? null : new Date(token.lastUsedAt).toISOString();
  return { id: token.id, name: token.name, created: new Date(token.createdAt).toISOString(), lastUsed };
}

// Makes an API token for the caller's own account, audited. Only a session opened with the
// account's password makes one: not a token (a stolen one must not make itself lasting
// heirs), not the local socket (a process of the uid would make a remote credential
// without knowing the password); root gets none (a token is for the network: root's
// rights stay on the machine).
export function createOwnToken(
  app: FastifyInstance,
  request: FastifyRequest,
  name: string,
): Promise<{ token: ApiToken; secret: string }> {
  const me = request.session!;
  return runAudited(
    app.core.audit,
    request,
    'token-create',
    me.login,
    async () => {
      if (me.via !== undefined) {
        const message = say('web.tokens.needPassword');
        throw new CoreError('permission-denied', message, { field: 'via' });
      }
      const account = app.core.accounts.getAccount(me.login);
      if (!account)
        throw new CoreError('not-found', say('tokens.accountGone', { login: quoted(me.login) }), { field: 'login' });
      if (account.uid === 0) {
        throw new CoreError('permission-denied', say('web.tokens.root'), {
          field: 'login',
        });
      }
      return app.apiTokens.create({ login: account.login, uid: account.uid }, name);
    },
    (created) => `"${created.token.name}" (${created.token.id})`,
  );
}

// Deletes one of the caller's own tokens (from any of its sessions, a token's own included),
// audited; its session ends with it.
export async function deleteOwnToken(app: FastifyInstance, request: FastifyRequest, id: string): Promise<void> {
  const { login } = request.session!;
  await runAudited(app.core.audit, request, 'token-delete', login, () => app.apiTokens.remove(login, id), id);
  app.endTokenSession(id);
}
