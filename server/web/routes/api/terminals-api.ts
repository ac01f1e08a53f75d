import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CoreError } from '../../../core/errors.ts';
import { terminalSize } from '../../../core/terminal/terminal-limits.ts';
import { getTerminalInfo } from '../../../core/terminal/terminal-manager.ts';
import { TokenBucket } from '../../push/token-bucket.ts';
import { quoted, say } from '../../../core/messages.ts';

// Opening a terminal starts processes: an account may open 16 (or twice terminal.max_per_account
// when more) at once, then one every 2 s (opening and closing in a loop is a fork loop otherwise).
// Opens refused for the limit per account cost nothing: they start and write nothing.
const opensRefillSeconds = 2;

const { minCols, maxCols, minRows, maxRows } = terminalSize;
const openBody = Type.Object(
  {
    cols: Type.Integer({ minimum: minCols, maximum: maxCols }),
    rows: Type.Integer({ minimum: minRows, maximum: maxRows }),
  },
  { additionalProperties: false },
);
const idParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }) });

// GET/POST /api/v1/terminals and DELETE /api/v1/terminals/<id>: the session's terminals. A
// terminal is opened here (CSRF-checked, rights read now) and shown through its socket.
export default async function terminalsApiRoutes(app: FastifyInstance): Promise<void> {
  const opens = new Map<string, TokenBucket>();
  const getOpens = (login: string): TokenBucket => {
    // Full buckets are forgotten: what is kept is bounded by the accounts opening now.
    for (const [key, bucket] of opens) if (bucket.isFull()) opens.delete(key);
    let bucket = opens.get(login);
    if (!bucket) {
      bucket = new TokenBucket(Math.max(16, 2 * app.config.terminal.maxPerAccount), 1 / opensRefillSeconds);
      opens.set(login, bucket);
    }
    return bucket;
  };

  app.get(
    '/api/v1/terminals',
    { schema: { tags: ['terminals'], summary: "This session's terminals" } },
    async (request) => {
      const me = request.session!;
      const refusal = app.terminals.getRefusal(me.login);
      if (refusal) throw new CoreError('permission-denied', refusal, { field: 'terminal' });
      return app.terminals.listForSession(me.publicId, request.locale);
    },
  );

  app.post<{ Body: Static<typeof openBody> }>(
    '/api/v1/terminals',
    { schema: { tags: ['terminals'], summary: 'Open a terminal', body: openBody } },
    async (request, reply) => {
      const me = request.session!;
      const bucket = getOpens(me.login);
      if (!bucket.has()) {
        // Whole seconds, at least one: a client that waits 0 s is refused again.
        const retryAfterS = Math.max(1, Math.ceil(bucket.getWaitMs() / 1000));
        const tooFast = say('web.terminals.tooFast', { login: quoted(me.login), seconds: String(retryAfterS) });
        throw new CoreError('busy', tooFast, { field: 'terminal', retryAfterS });
      }
      const owner = { login: me.login, sessionId: me.publicId, address: request.ip };
      // A refusal by the rules is audited: it costs an open too, so a loop of refused opens
      // writes one audit line every 2 s at most.
      const terminal = await app.terminals.open(owner, request.body.cols, request.body.rows).catch((error) => {
        if (error instanceof CoreError && error.code === 'permission-denied') bucket.take();
        throw error;
      });
      bucket.take();
      return reply.code(201).send(getTerminalInfo(terminal, request.locale));
    },
  );

  app.delete<{ Params: Static<typeof idParams> }>(
    '/api/v1/terminals/:id',
    { schema: { tags: ['terminals'], summary: 'Close a terminal', params: idParams } },
    async (request, reply) => {
      const terminal = app.terminals.get(request.params.id, request.session!.publicId);
      if (!terminal) {
        throw new CoreError('not-found', say('web.terminals.notFound', { id: quoted(request.params.id) }), {
          field: 'id',
        });
      }
      await terminal.kill('closed');
      return reply.code(204).send();
    },
  );
}
