import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { Locale } from '../../../common/i18n/locales.ts';
import type { FieldProblem } from '../../core/accounts/account-import.ts';
import { CoreError, type ErrorCode } from '../../core/errors.ts';
import { type CoreMessage, type CoreMessageKey, quoted, renderMessage, say } from '../../core/messages.ts';
import { guardNotFound, isApiRequest } from './auth-guard.ts';
import { checkCsrf, getCsrfToken } from './csrf.ts';
import { setSecurityHeaders } from './security-headers.ts';

const statusOfCode: Record<ErrorCode, number> = {
  'not-found': 404,
  'already-exists': 409,
  'invalid-argument': 400,
  'permission-denied': 403,
  conflict: 409,
  busy: 503,
  'in-use': 409,
  'internal-error': 500,
};

const codeOfStatus = (status: number): ErrorCode =>
  status === 404
    ? 'not-found'
    : status === 403 || status === 401
      ? 'permission-denied'
      : status === 409
        ? 'conflict'
        : status === 503
          ? 'busy'
          : status >= 500
            ? 'internal-error'
            : 'invalid-argument';

// The body every error answer carries, as JSON or on the error page: the message in the
// reader's language, and its key in the `core` catalogue (stable across languages and
// rewordings, for a client that matches a refusal or says it in words of its own).
export interface ErrorBody {
  code: ErrorCode;
  field: string | null;
  message: string;
  messageKey?: CoreMessageKey;
  // A volume refused because processes hold it: who they are (pid, command, login).
  holders?: unknown[];
}

// Turns any thrown error into a status and an ErrorBody said in `locale` (English unless
// given: the log lines); 5xx never carry internals.
export function describeError(
  error: FastifyError | CoreError,
  requestId: string,
  locale: Locale = 'en',
): { status: number; body: ErrorBody } {
  const said = (message: CoreMessage) => ({ message: renderMessage(message, locale), messageKey: message.key });
  if (error instanceof CoreError) {
    const words = { message: error.getMessage(locale), messageKey: error.messageKey };
    // Held by processes: who they are, for the page to list.
    const holders = getHolders(error);
    if (holders) return { status: 409, body: { code: error.code, field: error.field, ...words, holders } };
    // Not being logged in is the one permission problem that asks for credentials; a rate
    // refused says when to try again (429, and Retry-After from the handler below).
    const status =
      error.code === 'permission-denied' && error.field === 'session'
        ? 401
        : error.code === 'busy' && error.retryAfterS !== null
          ? 429
          : statusOfCode[error.code];
    return { status, body: { code: error.code, field: error.field, ...words } };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const field = getValidationField(first, fastifyError.validationContext);
    return { status: 400, body: { code: 'invalid-argument', field, ...said(getValidationMessage(first, field)) } };
  }
  const status = fastifyError.statusCode && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
  if (status >= 500) {
    return {
      status,
      body: { code: 'internal-error', field: null, ...said(say('web.errors.internal', { request: requestId })) },
    };
  }
  // Fastify's own refusals (a body that is not JSON, too large, a wrong content type): its
  // English words, inside a sentence of the reader's language.
  const field = getRequestPartOf(fastifyError.code);
  const message = say('web.errors.request', { reason: fastifyError.message });
  return { status, body: { code: codeOfStatus(status), field, ...said(message) } };
}

// The processes an 'in-use' refusal carries in its details (a volume's VolumeHolder[]).
function getHolders(error: CoreError): unknown[] | null {
  const details = (error as CoreError & { details?: unknown }).details;
  return error.code === 'in-use' && Array.isArray(details) ? details : null;
}

// The field a schema refusal is about, as a dotted path (`roles.developers`, `logins.3`):
// JSON pointer segments unescaped, the missing or unknown property appended, and the part
// of the request itself (`body`, `querystring`) when the whole of it is wrong.
function getValidationField(first: FastifySchemaValidationError | undefined, context: string | undefined): string {
  const params = first?.params as { missingProperty?: string; additionalProperty?: string } | undefined;
  const segments = (first?.instancePath ?? '')
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const property = params?.missingProperty ?? params?.additionalProperty;
  if (property !== undefined) segments.push(property);
  // An empty key is still a key: shown as "" so that the field is never blank.
  return segments.length > 0 ? segments.map((segment) => segment || '""').join('.') : (context ?? 'body');
}

// A schema refusal said as the API's other refusals are: what, and what would be valid.
function getValidationMessage(first: FastifySchemaValidationError | undefined, field: string): CoreMessage {
  const params = (first?.params ?? {}) as Record<string, unknown>;
  const keyword = first?.keyword;
  if (keyword === 'additionalProperties') return say('web.validation.unknownField', { field: quoted(field) });
  if (keyword === 'required') return say('web.validation.missingField', { field: quoted(field) });
  if (keyword === 'enum' && Array.isArray(params.allowedValues)) {
    const valid = params.allowedValues.map((value) => JSON.stringify(value)).join(', ');
    return say('web.validation.enum', { field, valid });
  }
  // AJV's other keywords, said in words from their parameters (its own English otherwise).
  const limit = params.limit;
  if (typeof limit === 'number' && keyword && keyword in validationKeys) {
    return say(validationKeys[keyword as keyof typeof validationKeys], { field, count: limit });
  }
  if (keyword === 'type' && typeof params.type === 'string') {
    const type = params.type.split(',')[0]!;
    const expected = type in typeWords ? say(typeWords[type as keyof typeof typeWords]) : type;
    return say('web.validation.type', { field, expected });
  }
  if (keyword === 'pattern' || keyword === 'format') return say('web.validation.pattern', { field });
  return say('web.validation.other', { field, reason: first?.message ?? say('web.validation.notTaken') });
}

// AJV's limits, each said with the limit it names.
const validationKeys = {
  maxLength: 'web.validation.maxLength',
  minLength: 'web.validation.minLength',
  maximum: 'web.validation.maximum',
  minimum: 'web.validation.minimum',
  maxItems: 'web.validation.maxItems',
  minItems: 'web.validation.minItems',
  maxProperties: 'web.validation.maxProperties',
} as const;

// JSON Schema's types in words.
const typeWords = {
  string: 'web.validation.types.string',
  integer: 'web.validation.types.integer',
  number: 'web.validation.types.number',
  boolean: 'web.validation.types.boolean',
  array: 'web.validation.types.array',
  object: 'web.validation.types.object',
  null: 'web.validation.types.null',
} as const;

// What part of the request a refusal from Fastify itself is about: its content type, its
// body (not JSON, empty, too large, a prototype key), or the request as a whole.
function getRequestPartOf(code: string | undefined): string {
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'content-type';
  if (code === 'FST_ERR_BAD_URL' || code === 'FST_ERR_MAX_PARAM_LENGTH') return 'url';
  if (code?.startsWith('FST_ERR_CTP_')) return 'body';
  return 'request';
}

// Fastify's refusals before routing (a malformed URL, a parameter past its length): the
// same JSON body as every other refusal, naming the URL. Given as `frameworkErrors`.
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = describeError(error, request.id, request.locale);
  request.log.info({ status, code: body.code }, describeError(error, request.id).body.message);
  setSecurityHeaders(reply);
  void reply.code(status).send({ ...body, message: body.message.slice(0, 300) });
}

async function sendError(request: FastifyRequest, reply: FastifyReply, status: number, body: ErrorBody): Promise<void> {
  reply.code(status);
  const wantsPage = !isApiRequest(request) && (request.headers.accept ?? '').includes('text/html');
  if (!wantsPage) {
    await reply.send(body);
    return;
  }
  await reply.view('errors/error.njk', {
    status,
    error: body,
    me: request.session,
    csrfToken: getCsrfToken(request, reply),
  });
}

// One error handler for the whole app: CoreError codes map to statuses, validation errors
// name their field, browsers get a page and code gets JSON `{ code, field, message }`.
export default fp(
  async (app) => {
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      const { status, body } = describeError(error, request.id, request.locale);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else {
        // The log is in English whatever the reader's language.
        const english = request.locale === 'en' ? body.message : describeError(error, request.id).body.message;
        request.log.info({ status, code: body.code, field: body.field }, english);
      }
      if (error instanceof CoreError && status === 429) reply.header('retry-after', error.retryAfterS!);
      await sendError(request, reply, status, body);
    });
    // An unknown URL asks for a session, and a token to be posted to, as a known one does.
    app.setNotFoundHandler({ preValidation: guardNotFound, preHandler: checkCsrf }, async (request, reply) => {
      const message = say('web.errors.noPage', { url: request.url.slice(0, 200) });
      await sendError(request, reply, 404, {
        code: 'not-found',
        field: 'url',
        message: renderMessage(message, request.locale),
        messageKey: message.key,
      });
    });
  },
  { name: 'licorn-errors', dependencies: ['licorn-views'] },
);

// A would-be account's or an import's problems as the API answers them: each message in the
// reader's language (the core keeps its key and parameters), without those internals.
export function sayProblems<T extends FieldProblem>(
  problems: readonly T[],
  locale: Locale,
): (Omit<T, 'messageKey' | 'messageParams'> & { message: string })[] {
  return problems.map(({ messageKey, messageParams, ...problem }) => ({
    ...problem,
    message: locale === 'en' ? problem.message : renderMessage({ key: messageKey, params: messageParams }, locale),
  }));
}
