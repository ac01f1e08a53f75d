// The bodies of the API's refusals (plugins/errors.ts writes them), shared by every route.

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
