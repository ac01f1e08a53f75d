import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { ApiTokenStore, type ApiToken } from '../../core/auth/api-token-store.ts';
import { CoreError } from '../../core/errors.ts';
import { getBoundAccount } from '../local/local-account.ts';
import { isLocalRequest } from '../local/local-peer.ts';
import { checkAccountStage, type AccountStageMemo } from '../local/account-stage.ts';
import { type CoreMessage, say } from '../../core/messages.ts';

declare module 'fastify' {
  interface FastifyInstance {
    // The accounts' API tokens (tokens.store_file).
    apiTokens: ApiTokenStore;
    // Ends the session a deleted token acted through.
    endTokenSession(id: string): void;
  }
  interface FastifyRequest {
    // The API token the request came with (Authorization: Bearer), or null.
    apiToken: ApiToken | null;
  }
}

const refuse = (message: CoreMessage, field = 'authorization') =>
  new CoreError('permission-denied', message, { field });

// `Authorization: Bearer <token>`, on /api/ routes only: the request acts as the token's
// account, with its rights as the account files say now (a session per token, not stored,
// re-read at every request like a browser's: a demotion follows at once; a deletion, lock,
// expiry or new password revokes the token, ApiTokenStore) if a login's account checks let
// it in (PAM's account stage, a password that must be changed first). No CSRF
// token is needed (no cookie is involved), so a Bearer request that also carries a cookie is
// refused, and so is one on the local socket (its caller is known already).
export default fp(
  async (app) => {
    // The session each token acts through, by token id, and its account checks' last answer.
    const sessionOf = new Map<string, string>();
    const memoOf = new Map<string, { memo?: AccountStageMemo | null }>();
    const endTokenSession = (id: string) => {
      const sessionId = sessionOf.get(id);
      sessionOf.delete(id);
      memoOf.delete(id);
      if (sessionId) app.sessions.destroy(sessionId, 'logout');
    };
    const store = new ApiTokenStore({
      file: app.config.tokens.storeFile,
      maxPerAccount: app.config.tokens.maxPerAccount,
      events: app.core.events,
      rights: app.core.auth,
      // A revoked token's session ends with it (an event stream it holds, too).
      onRevoked: (tokens) => tokens.forEach((token) => endTokenSession(token.id)),
      warn: (message) => app.log.warn(message),
    });
    await store.load();
    app.decorate('apiTokens', store);
    app.decorateRequest('apiToken', null);

    const useToken = async (request: FastifyRequest, header: string): Promise<void> => {
      if (isLocalRequest(request)) throw refuse(say('web.tokens.local'));
      if (request.headers.cookie !== undefined) {
        throw refuse(say('web.tokens.cookies'));
      }
      // A token is for scripts and the CLI: the API only, never a page or its forms.
      if (!request.url.startsWith('/api/')) {
        throw new CoreError('permission-denied', say('web.tokens.apiOnly', { url: request.url.slice(0, 100) }), {
          field: 'session',
        });
      }
      const match = /^Bearer ([!-~]{1,200})$/.exec(header);
      if (!match) throw refuse(say('web.tokens.bearer'), 'session');
      const token = store.find(match[1]!);
      if (!token) {
        request.log.warn({ address: request.ip }, 'refused an unknown or revoked API token');
        throw refuse(say('web.tokens.unknown'), 'session');
      }
      const known = sessionOf.get(token.id);
      let session = known ? app.sessions.use(known) : null;
      const memo = memoOf.get(token.id) ?? {};
      memoOf.set(token.id, memo);
      // A login's account checks (PAM's account stage), asked again every little while.
      await checkAccountStage(app.core.auth, { login: token.login, uid: token.uid, address: request.ip }, memo);
      if (!session) {
        const account = getBoundAccount(app.core.auth, token.login, token.uid);
        session = app.sessions.createBound(account, request.ip, 'token', `API token "${token.name}"`);
        sessionOf.set(token.id, session.id);
      }
      if (memo.memo?.verdict === 'must-change') session.mustChangePassword = true;
      request.session = session;
      request.apiToken = token;
    };
    // A step of the sessions plugin's hook (after the local socket's) that returns at once
    // without the header (pages, the login form): no promise, no hook turn of its own.
    app.addCallerStep((request) => {
      const header = request.headers.authorization;
      return header === undefined ? null : useToken(request, header);
    });
    // A deleted token's session ends with it.
    app.decorate('endTokenSession', endTokenSession);
    app.addHook('onClose', async () => store.close());
  },
  { name: 'licorn-api-tokens', dependencies: ['licorn-sessions', 'licorn-core'] },
);
