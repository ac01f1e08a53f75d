import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CoreError } from '../../../core/errors.ts';
import { terminalSize } from '../../../core/terminal/terminal-limits.ts';

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
  app.get(
    '/api/v1/terminals',
    { schema: { tags: ['terminals'], summary: "This session's terminals" } },
    async (request) => {
      const me = request.session!;
      const refusal = app.terminals.getRefusal(me.login);
      if (refusal) throw new CoreError('permission-denied', refusal, { field: 'terminal' });
      return app.terminals.listForSession(me.publicId);
    },
  );

  app.post<{ Body: Static<typeof openBody> }>(
    '/api/v1/terminals',
    { schema: { tags: ['terminals'], summary: 'Open a terminal', body: openBody } },
    async (request, reply) => {
      const me = request.session!;
      const terminal = await app.terminals.open(
        { login: me.login, sessionId: me.publicId, address: request.ip },
        request.body.cols,
        request.body.rows,
      );
      const { id, runsAs, description, createdAt } = terminal;
      return reply.code(201).send({ id, runsAs, description, createdAt, attached: false });
    },
  );

  app.delete<{ Params: Static<typeof idParams> }>(
    '/api/v1/terminals/:id',
    { schema: { tags: ['terminals'], summary: 'Close a terminal', params: idParams } },
    async (request, reply) => {
      const terminal = app.terminals.get(request.params.id, request.session!.publicId);
      if (!terminal) {
        throw new CoreError('not-found', `No terminal ${JSON.stringify(request.params.id)} in this session`, {
          field: 'id',
        });
      }
      await terminal.kill('closed');
      return reply.code(204).send();
    },
  );
}
