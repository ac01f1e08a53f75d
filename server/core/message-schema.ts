import Type from 'typebox';
import type { CoreMessage } from './messages.ts';

// A message's key and parameters, as every schema below holds them.
const messageFields = {
  key: Type.String({ description: "the message's key in the core catalogue (common/i18n/catalogues/*/core.json)" }),
  params: Type.Record(Type.String(), Type.Unknown(), { description: 'its parameters, by name' }),
};

// A core message in a resource (a volume action's reason): its key in the `core` catalogue
// and its parameters (plain values, quoted values, counts, lists, other messages), so that
// pages, pushes and the CLI say it in their reader's language (messages.ts renderMessage);
// the resource keeps its English beside it for scripts.
export const coreMessageSchema = Type.Unsafe<CoreMessage>(
  Type.Object(messageFields, { description: 'a sentence of the core as a key and its parameters' }),
);

// A core message as an API answer carries it (web/i18n/answer-message.ts): with `text`, the
// sentence in the request's language.
export const answeredMessageSchema = Type.Unsafe<CoreMessage & { text: string }>(
  Type.Object(
    { ...messageFields, text: Type.String({ description: "the sentence in the request's language" }) },
    { description: 'a sentence of the core as a key and its parameters, and said in the request’s language' },
  ),
);
