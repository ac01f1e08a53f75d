import type { FastifyInstance } from 'fastify';
import { createOwnToken, deleteOwnToken, getTokenView } from '../../auth/own-tokens.ts';
import { listAccountTokens, revokeAccountToken } from '../../auth/account-tokens.ts';

const tokenView = {
  type: 'object',
  required: ['id', 'name', 'created', 'lastUsed'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created: { type: 'string' },
    lastUsed: { type: ['string', 'null'] },
  },
} as const;

// GET/POST /api/v1/tokens and DELETE /api/v1/tokens/{id}: the caller's own API tokens
// (`Authorization: Bearer <token>`, plugins/api-tokens.ts). The secret is answered once, at
// creation; the daemon keeps only its sha256.
export default async function tokensApiRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: "The caller's API tokens",
        response: { 200: { type: 'array', items: tokenView } },
      },
    },
    async (request) => app.apiTokens.list(request.session!.login).map(getTokenView),
  );

  app.post<{ Body: { name: string } }>(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Make an API token for the caller (from a session opened with a password); its secret is shown once',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
        },
      },
    },
    async (request, reply) => {
      const { token, secret } = await createOwnToken(app, request, request.body.name);
      return reply.code(201).send({ ...getTokenView(token), token: secret });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        summary: "Delete one of the caller's API tokens",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
      },
    },
    async (request, reply) => {
      await deleteOwnToken(app, request, request.params.id);
      return reply.code(204).send();
    },
  );

  // An admin's view: any account's tokens, and revoking one (audited).
  const loginParams = { type: 'object', required: ['login'], properties: { login: { type: 'string', maxLength: 64 } } };
  app.get<{ Params: { login: string } }>(
    '/api/v1/accounts/:login/tokens',
    {
      config: { admin: true },
      schema: {
        tags: ['tokens'],
        summary: "An account's API tokens (admins)",
        params: loginParams,
        response: { 200: { type: 'array', items: tokenView } },
      },
    },
    async (request) => listAccountTokens(app, request.params.login),
  );

  app.delete<{ Params: { login: string; id: string } }>(
    '/api/v1/accounts/:login/tokens/:id',
    {
      config: { admin: true },
      schema: {
        tags: ['tokens'],
        summary: "Revoke one of an account's API tokens (admins; audited as token-revoke)",
        params: {
          type: 'object',
          required: ['login', 'id'],
          properties: { login: { type: 'string', maxLength: 64 }, id: { type: 'string', maxLength: 100 } },
        },
      },
    },
    async (request, reply) => {
      await revokeAccountToken(app, request, request.params.login, request.params.id);
      return reply.code(204).send();
    },
  );
}
