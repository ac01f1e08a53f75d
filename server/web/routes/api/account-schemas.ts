import { csvColumns } from '../../../core/accounts/account-csv.ts';
import { groupRoleSchema, memberRoleSchema } from '../../../core/accounts/group-schema.ts';

// JSON schemas of the accounts API (Fastify validates with them; OpenAPI is built from them).
// The core checks every value again: these only keep the shapes right.

const name = { type: 'string', minLength: 1, maxLength: 64 } as const;
const text = { type: 'string', maxLength: 4096 } as const;
const role = groupRoleSchema;
// An id (uid) as uid_t holds it, less the -1 that means "none" to the kernel.
const id = { type: 'integer', minimum: 0, maximum: 4_294_967_294 } as const;
// Days since 1970 (shadow's fields); 2^31 - 1 is what a 32-bit `long` in shadow-utils holds.
const days = { type: 'integer', minimum: 0, maximum: 2_147_483_647 } as const;
// Standard group → role: at most as many as there could be groups in one request.
const roles = {
  type: 'object',
  description: 'standard group → guest, member or responsible',
  maxProperties: 1000,
  propertyNames: name,
  additionalProperties: role,
} as const;

// An account as the API returns it: the core's one description (account-schema.ts).
export { accountViewSchema as accountSchema } from '../../../core/accounts/account-schema.ts';

// The error body of every refusal.
export const errorSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    field: { type: ['string', 'null'] },
    message: { type: 'string' },
    // The message's key in the `core` catalogue, the same in every language.
    messageKey: { type: 'string' },
  },
} as const;

// A 409: a conflict, or an 'in-use' refusal naming the processes that hold the account's UID
// or a volume's mount (`holders`, from the CoreError's details).
export const conflictSchema = {
  type: 'object',
  properties: {
    ...errorSchema.properties,
    holders: {
      type: 'array',
      items: {
        type: 'object',
        properties: { pid: { type: 'integer' }, command: { type: 'string' }, login: { type: 'string' } },
      },
    },
  },
} as const;

export const loginParams = { type: 'object', required: ['login'], properties: { login: name } } as const;

// What creating an account takes; without `password` one is generated and returned once.
export const newAccountBody = {
  type: 'object',
  required: ['login'],
  additionalProperties: false,
  properties: {
    login: name,
    fullName: text,
    shell: text,
    home: text,
    uid: id,
    primaryGroup: name,
    groups: { type: 'array', maxItems: 1000, items: name },
    roles,
    system: { type: 'boolean' },
    password: { type: ['string', 'null'], maxLength: 4096 },
    createHome: { type: 'boolean' },
  },
} as const;

// A change to one account: any of the fields, with the version it was based on.
export const accountChangesBody = {
  type: 'object',
  required: ['version'],
  additionalProperties: false,
  properties: {
    version: { type: 'string', maxLength: 32 },
    fullName: text,
    shell: text,
    home: text,
    uid: id,
    primaryGroup: name,
    groups: { type: 'array', maxItems: 1000, items: name },
    roles,
    locked: { type: 'boolean' },
    expiry: { ...days, type: ['integer', 'null'] },
    password: { type: 'string', maxLength: 4096 },
    forcePasswordChange: { type: 'boolean', enum: [true] },
    newLogin: name,
    moveHome: { type: 'boolean' },
    renameGroup: { type: 'boolean' },
  },
} as const;

export const deleteQuery = {
  type: 'object',
  properties: {
    home: { type: 'string', enum: ['archive', 'remove', 'keep'], default: 'archive' },
    // End the account's running processes (SIGTERM, then SIGKILL), then delete it; without
    // it, an account whose processes run is refused (409 in-use, the processes named).
    endProcesses: { type: 'boolean', default: false },
  },
} as const;

// One action on many accounts.
export const bulkBody = {
  type: 'object',
  required: ['action', 'logins'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: ['lock', 'unlock', 'delete', 'add-to-group'] },
    logins: { type: 'array', minItems: 1, maxItems: 100_000, items: name },
    group: name,
    role: memberRoleSchema,
    home: { type: 'string', enum: ['archive', 'remove', 'keep'] },
    // Delete only: end the accounts' processes first (as DELETE /accounts/{login} does).
    endProcesses: { type: 'boolean' },
  },
} as const;

export const importBody = {
  type: 'object',
  required: ['csv'],
  additionalProperties: false,
  properties: {
    csv: { type: 'string', maxLength: 16 * 1024 * 1024 },
    // A CSV header → the field it fills, or `ignore`; a CSV has no more columns than this.
    mapping: {
      type: 'object',
      maxProperties: 256,
      propertyNames: { type: 'string', maxLength: 256 },
      additionalProperties: { type: 'string', enum: [...csvColumns, 'ignore'] },
    },
    dryRun: { type: 'boolean' },
    skipInvalid: { type: 'boolean' },
    createHomes: { type: 'boolean' },
    // A name the page chose for this import's progress topic (import/<progress>).
    progress: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
  },
} as const;
