import { Ajv, type Options, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { compileOnFirstUse } from './lazy-compile.ts';

// Shared by both: an unknown field is refused (400 naming it), never silently dropped, so a
// misspelt `fulName` cannot look like success; one error is enough (all errors is a DoS).
const common: Options = { removeAdditional: false, allErrors: false, ownProperties: true, addUsedSchema: false };

// Bodies and path parameters are taken as sent: `["x"]` is not the login "x", 12345 is not a
// full name, "false" is not false, and nothing is filled in that the sender did not write.
const strict = new Ajv({ ...common, coerceTypes: false, useDefaults: false });

// Querystrings and headers are text by nature: `?system=false` means false, and a missing
// `?home=` takes the schema's default.
const coercing = new Ajv({ ...common, coerceTypes: 'array', useDefaults: true });

const textParts = new Set(['querystring', 'headers']);

// The app's validator compiler: a strict Ajv for bodies and parameters, a coercing one for
// querystrings and headers (Fastify's single default Ajv coerces everything). Each schema is
// compiled on the route's first request, not at start: Ajv's code generation for every
// route was a seventh of the daemon's start (bench/README.md, tenth session); the schemas
// are checked all at once by test/web/validation/lazy-compile.test.ts instead.
export const compileValidator: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = textParts.has(httpPart ?? '') ? coercing : strict;
  const getValidate = compileOnFirstUse(() => ajv.compile(schema as object));
  // Fastify reads a refusal's reasons from the function's `errors`, as Ajv's own.
  const validateLazily = (data: unknown): boolean => {
    const validate = getValidate();
    const valid = validate(data);
    validateLazily.errors = validate.errors;
    return valid;
  };
  validateLazily.errors = null as ValidateFunction['errors'];
  return validateLazily;
};
