import type { FastifyReply, FastifyRequest } from 'fastify';
import { say } from '../../core/messages.ts';
import { getRefusalBody } from '../i18n/refusal-body.ts';
import type { ConnectRefusal } from './connect-rate.ts';

// Answers a WebSocket upgrade (push or terminal) refused for its connection rate: 429 with
// Retry-After and the body every refusal has, its words in the reader's language and its key
// beside. Not thrown to the error handler: its log line per attempt is what a script
// reconnecting in a loop must not get (the hub counts these, logged at a bounded rate).
export function answerConnectRefusal(request: FastifyRequest, reply: FastifyReply, refusal: ConnectRefusal) {
  const retryAfterS = Math.max(1, Math.ceil(refusal.retryInMs / 1000));
  const message = say(refusal.messageKey, { seconds: retryAfterS });
  return reply
    .code(429)
    .header('retry-after', retryAfterS)
    .send(getRefusalBody('busy', null, message, request.locale));
}
