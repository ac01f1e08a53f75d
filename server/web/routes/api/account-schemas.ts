import Type, { type Static } from 'typebox';
import { csvColumns } from '../../../core/accounts/account-csv.ts';
import { groupRoleSchema, memberRoleSchema } from '../../../core/accounts/group-schema.ts';

// The accounts API's bodies and queries, each with its type (Fastify validates with the schema;
// OpenAPI is built from it; the routes read the type). The core checks every value again: these
// only keep the shapes right.

const name = Type.String({ minLength: 1, maxLength: 64 });
const text = Type.String({ maxLength: 4096 });
// An id (uid) as uid_t holds it, less the -1 that means "none" to the kernel.
const id = Type.Integer({ minimum: 0, maximum: 4_294_967_294 });
// Days since 1970 (shadow's fields); 2^31 - 1 is what a 32-bit `long` in shadow-utils holds.
const days = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
// Standard group → role: at most as many as there could be groups in one request.
const roles = Type.Record(Type.String(), groupRoleSchema, {
  description: 'standard group → guest, member or responsible',
  maxProperties: 1000,
  propertyNames: name,
  // Record's pattern (^.*$) matches no key with a line break: such a key is refused, not
  // let through unchecked (red team 11 F1: a 500 from the core).
  additionalProperties: false,
});
const groups = Type.Array(name, { maxItems: 1000 });
const homeDisposal = Type.Enum(['archive', 'remove', 'keep']);

// An account as the API returns it: the core's one description (account-schema.ts).
export { accountViewSchema as accountSchema } from '../../../core/accounts/account-schema.ts';

export const loginParams = Type.Object({ login: name });

// The fields an account is given at its creation and may be changed later, each optional.
const settableFields = {
  fullName: Type.Optional(text),
  shell: Type.Optional(text),
  home: Type.Optional(text),
  uid: Type.Optional(id),
  primaryGroup: Type.Optional(name),
  groups: Type.Optional(groups),
  roles: Type.Optional(roles),
};

// What creating an account takes; without `password` one is generated and returned once.
export const newAccountBody = Type.Object(
  {
    login: name,
    ...settableFields,
    system: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
    createHome: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

// A change to one account: any of the fields, with the version it was based on.
export const accountChangesBody = Type.Object(
  {
    version: Type.String({ maxLength: 32 }),
    ...settableFields,
    locked: Type.Optional(Type.Boolean()),
    expiry: Type.Optional(Type.Union([days, Type.Null()])),
    password: Type.Optional(Type.String({ maxLength: 4096 })),
    forcePasswordChange: Type.Optional(Type.Literal(true)),
    newLogin: Type.Optional(name),
    moveHome: Type.Optional(Type.Boolean()),
    renameGroup: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const deleteQuery = Type.Object({
  home: Type.Optional(Type.Enum(['archive', 'remove', 'keep'], { default: 'archive' })),
  // End the account's running processes (SIGTERM, then SIGKILL), then delete it; without
  // it, an account whose processes run is refused (409 in-use, the processes named).
  endProcesses: Type.Optional(Type.Boolean({ default: false })),
});

// One action on many accounts.
export const bulkBody = Type.Object(
  {
    action: Type.Enum(['lock', 'unlock', 'delete', 'add-to-group']),
    logins: Type.Array(name, { minItems: 1, maxItems: 100_000 }),
    group: Type.Optional(name),
    role: Type.Optional(memberRoleSchema),
    home: Type.Optional(homeDisposal),
    // Delete only: end the accounts' processes first (as DELETE /accounts/{login} does).
    endProcesses: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const importBody = Type.Object(
  {
    csv: Type.String({ maxLength: 16 * 1024 * 1024 }),
    // A CSV header → the field it fills, or `ignore`; a CSV has no more columns than this.
    mapping: Type.Optional(
      Type.Record(Type.String(), Type.Enum([...csvColumns, 'ignore']), {
        maxProperties: 256,
        propertyNames: Type.String({ maxLength: 256 }),
        additionalProperties: false,
      }),
    ),
    dryRun: Type.Optional(Type.Boolean()),
    skipInvalid: Type.Optional(Type.Boolean()),
    createHomes: Type.Optional(Type.Boolean()),
    // A name the page chose for this import's progress topic (import/<progress>).
    progress: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })),
  },
  { additionalProperties: false },
);

export type LoginParams = Static<typeof loginParams>;
export type NewAccountBody = Static<typeof newAccountBody>;
export type AccountChangesBody = Static<typeof accountChangesBody>;
// The query once Fastify has filled in the defaults.
export type DeleteQuery = Required<Static<typeof deleteQuery>>;
export type BulkBody = Static<typeof bulkBody>;
export type ImportBody = Static<typeof importBody>;
