import Type from 'typebox';
import type { CoreMessage } from './messages.ts';

// A core message in a resource (a volume action's reason): its key in the `core` catalogue
// and its parameters (plain values, quoted values, counts, lists, other messages), so that
// pages, pushes and the CLI say it in their reader's language (messages.ts renderMessage);
// the resource keeps its English beside it for scripts.
export const coreMessageSchema = Type.Unsafe<CoreMessage>(
  Type.Object(
    {
      key: Type.String({ description: "the message's key in the core catalogue (common/i18n/catalogues/*/core.json)" }),
      params: Type.Record(Type.String(), Type.Unknown(), { description: 'its parameters, by name' }),
    },
    { description: 'a sentence of the core as a key and its parameters' },
  ),
);
