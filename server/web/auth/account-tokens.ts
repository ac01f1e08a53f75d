import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import { runAudited } from '../accounts/audited.ts';
import { getTokenView, type TokenView } from './own-tokens.ts';
import { quoted, say } from '../../core/messages.ts';

// An account's API tokens as an admin sees them (never their secret); 404 for no account.
export function listAccountTokens(app: FastifyInstance, login: string): TokenView[] {
  if (!app.core.accounts.getAccount(login)) {
    throw new CoreError('not-found', say('accounts.notFound', { login: quoted(login.slice(0, 64)) }), {
      field: 'login',
    });
  }
  return app.apiTokens.list(login).map(getTokenView);
}

// An admin revokes one of another account's (or its own) tokens, audited as
// `token-revoke`; the session the token acted through ends with it.
export async function revokeAccountToken(
  app: FastifyInstance,
  request: FastifyRequest,
  login: string,
  id: string,
): Promise<void> {
  await runAudited(app.core.audit, request, 'token-revoke', login, () => app.apiTokens.remove(login, id), id);
  app.endTokenSession(id);
}
