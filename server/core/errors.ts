// The fixed list of problem codes the core reports; the web layer maps each to an HTTP status.
export const errorCodes = [
  'not-found',
  'already-exists',
  'invalid-argument',
  'permission-denied',
  'conflict',
  // Locked by another program for a moment: try again (503).
  'busy',
  // Held by running processes (a mount, an account's UID): the admin must act first (409).
  'in-use',
  'internal-error',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

// The one error type thrown by the core: a code, the field at fault, a message naming the value.
export class CoreError extends Error {
  override name = 'CoreError';
  readonly code: ErrorCode;
  readonly field: string | null;
  // Structured facts behind the message, for a page to show (a volume's holders on 'busy').
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown; details?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.field = options.field ?? null;
    this.details = options.details ?? null;
  }
}
