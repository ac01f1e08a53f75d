import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { CoreError, type ErrorCode } from '../../core/errors.ts';
import { isApiRequest } from './auth-guard.ts';
import { getCsrfToken } from './csrf.ts';

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

// The body every error answer carries, as JSON or on the error page.
export interface ErrorBody {
  code: ErrorCode;
  field: string | null;
  message: string;
  // A volume refused because processes hold it: who they are (pid, command, login).
  holders?: unknown[];
}

// Turns any thrown error into a status and an ErrorBody; 5xx never carry internals.
export function describeError(error: FastifyError | CoreError, requestId: string): { status: number; body: ErrorBody } {
  if (error instanceof CoreError) {
    // Held by processes: who they are, for the page to list.
    const holders = getHolders(error);
    if (holders)
      return { status: 409, body: { code: error.code, field: error.field, message: error.message, holders } };
    // Not being logged in is the one permission problem that asks for credentials.
    const status = error.code === 'permission-denied' && error.field === 'session' ? 401 : statusOfCode[error.code];
    return { status, body: { code: error.code, field: error.field, message: error.message } };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const field = getValidationField(first, fastifyError.validationContext);
    return { status: 400, body: { code: 'invalid-argument', field, message: getValidationMessage(first, field) } };
  }
  const status = fastifyError.statusCode && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
  if (status >= 500) {
    return {
      status,
      body: {
        code: 'internal-error',
        field: null,
        message: `Internal error; the daemon's log has the details (request ${requestId})`,
      },
    };
  }
  const field = getRequestPartOf(fastifyError.code);
  return { status, body: { code: codeOfStatus(status), field, message: fastifyError.message } };
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
function getValidationMessage(first: FastifySchemaValidationError | undefined, field: string): string {
  const params = (first?.params ?? {}) as { allowedValues?: unknown[] };
  if (first?.keyword === 'additionalProperties') return `Unknown field "${field}": it is not one this request takes`;
  if (first?.keyword === 'required') return `Missing field "${field}"`;
  if (first?.keyword === 'enum' && params.allowedValues) {
    return `Invalid ${field}: must be one of ${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
  }
  return `Invalid ${field}: ${first?.message ?? 'not what this request takes'}`;
}

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
  const { status, body } = describeError(error, request.id);
  request.log.info({ status, code: body.code }, body.message);
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
      const { status, body } = describeError(error, request.id);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ status, code: body.code, field: body.field }, body.message);
      await sendError(request, reply, status, body);
    });
    app.setNotFoundHandler(async (request, reply) => {
      await sendError(request, reply, 404, {
        code: 'not-found',
        field: 'url',
        message: `No page at ${request.url.slice(0, 200)}`,
      });
    });
  },
  { name: 'licorn-errors', dependencies: ['licorn-views'] },
);
