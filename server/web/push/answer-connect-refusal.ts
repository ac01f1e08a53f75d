import type { FastifyReply, FastifyRequest } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import { say } from '../../core/messages.ts';
import { describeError } from '../plugins/errors.ts';
import type { ConnectRefusal } from './connect-rate.ts';

// Answers a WebSocket upgrade (push or terminal) refused for its connection rate: 429 with
// Retry-After and the body every refusal has (describeError), its words in the reader's
// language and its key beside. Not thrown to the error handler: its log line per attempt is
// what a script reconnecting in a loop must not get (the hub counts these, logged at a
// bounded rate).
export function answerConnectRefusal(request: FastifyRequest, reply: FastifyReply, refusal: ConnectRefusal) {
  const retryAfterS = Math.max(1, Math.ceil(refusal.retryInMs / 1000));
  const error = new CoreError('busy', say(refusal.messageKey, { seconds: retryAfterS }), { retryAfterS });
  const { status, body } = describeError(error, request.id, request.locale);
  return reply.code(status).header('retry-after', retryAfterS).send(body);
}
