import type { Locale } from '../../common/i18n/locales.ts';
import {
  type CoreMessage,
  type CoreMessageKey,
  isCoreMessage,
  type MessageParam,
  renderMessage,
  say,
} from './messages.ts';

// The fixed list of problem codes the core reports; the web layer maps each to an HTTP status.
export const errorCodes = [
  'not-found',
  'already-exists',
  'invalid-argument',
  'permission-denied',
  'conflict',
  // Locked by another program for a moment: try again (503; 429 when a rate is refused).
  'busy',
  // Held by running processes (a mount, an account's UID): the admin must act first (409).
  'in-use',
  'internal-error',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

// The one error type thrown by the core: a code, the field at fault, a message naming the value.
// The message is a key with its parameters (messages.ts), so that the edge (pages, API, CLI)
// says it in the reader's language; `message` is its English, for logs, the audit and tests.
export class CoreError extends Error {
  override name = 'CoreError';
  readonly code: ErrorCode;
  readonly field: string | null;
  // Structured facts behind the message, for a page to show (a volume's holders on 'busy').
  readonly details: unknown;
  // The message's key in the `core` catalogue, and its parameters.
  readonly messageKey: CoreMessageKey;
  readonly messageParams: Readonly<Record<string, MessageParam>>;
  // A 'busy' that is a rate refused (too many too fast): in how many whole seconds to try
  // again (the web's 429 and its Retry-After).
  readonly retryAfterS: number | null;

  constructor(
    code: ErrorCode,
    message: CoreMessage,
    options: { field?: string; cause?: unknown; details?: unknown; retryAfterS?: number } = {},
  ) {
    // A sentence without a key (JavaScript that escaped the type checker) is refused loudly:
    // no reader could get it in their language.
    if (!isCoreMessage(message))
      throw new TypeError(`A CoreError needs a keyed message (say(…)), not ${typeof message}`);
    super(renderMessage(message, 'en'), { cause: options.cause });
    this.code = code;
    this.field = options.field ?? null;
    this.details = options.details ?? null;
    this.retryAfterS = options.retryAfterS ?? null;
    this.messageKey = message.key;
    this.messageParams = message.params;
  }

  // The message as a key and parameters, to pass on (a bulk row's refusal) or say later.
  get coreMessage(): CoreMessage {
    return { key: this.messageKey, params: this.messageParams };
  }

  // The message in a reader's language.
  getMessage(locale: Locale): string {
    return locale === 'en' ? this.message : renderMessage(this.coreMessage, locale);
  }
}
