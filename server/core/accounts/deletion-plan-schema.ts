import Type, { type Static, type TSchema } from 'typebox';
import { coreMessageSchema } from '../message-schema.ts';

// The one description of an account's deletion plan (account-transactions.ts getDeletionPlans:
// its home, its private group, its running processes), for the API's response schema and
// OpenAPI; AccountsService.getDeletionPlan answers this type, so the two cannot drift apart.

const homeDisposal = ['archive', 'remove', 'keep'] as const;

// A running process a deletion meets, and how ending the account's processes reaches it.
export const plannedProcessSchema = Type.Object({
  pid: Type.Integer(),
  realUid: Type.Integer(),
  effectiveUid: Type.Integer(),
  savedUid: Type.Integer(),
  fsUid: Type.Integer(),
  command: Type.String({ description: 'its command line, cut at 200 characters' }),
  threadUids: Type.Array(Type.Integer(), { description: 'UIDs its other threads hold beyond those' }),
  ppid: Type.Integer(),
  reach: Type.Enum(['own', 'as-other', 'relayed', 'not-signalled'], {
    description: "how ending the account's processes (kill(-1) as its UID) reaches it; not-signalled refuses",
  }),
});

// A plan whose messages are `message` (the core's: a key and parameters; the API's add the text).
export function createDeletionPlanSchema<M extends TSchema>(message: M) {
  return Type.Object({
    home: Type.String(),
    asked: Type.Enum(homeDisposal, { description: 'what was asked for the home' }),
    action: Type.Enum([...homeDisposal, 'none'], {
      description: 'what will be done: keep (warning says why) when it is not the account’s own directory',
    }),
    warning: Type.Union([Type.String(), Type.Null()], { description: 'in English' }),
    warningMessage: Type.Union([message, Type.Null()]),
    privateGroup: Type.Union([Type.String(), Type.Null()], { description: 'the private group deleted with it' }),
    groupKept: Type.Union([Type.String(), Type.Null()], { description: 'its private group when kept, and why' }),
    groupKeptMessage: Type.Union([message, Type.Null()]),
    processes: Type.Array(plannedProcessSchema, { description: 'the first 100 of them' }),
    processCount: Type.Integer({ description: 'how many there are' }),
  });
}

// The plan as the core computes it.
export const deletionPlanSchema = createDeletionPlanSchema(coreMessageSchema);
export type DeletionPlanView = Static<typeof deletionPlanSchema>;
