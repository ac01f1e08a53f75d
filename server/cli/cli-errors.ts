import { getTerminalText } from '../core/text/terminal-text.ts';

// Exit statuses of `licorn`: 0 done, 1 the daemon refused (or could not be reached), 2 a
// command line it could not understand.
export const exitCodes = { ok: 0, refused: 1, usage: 2 } as const;

// The daemon's refusal (or the lack of a daemon): its message goes to stderr, the status is 1.
export class RefusedError extends Error {
  readonly field: string | null;
  readonly status: number;

  constructor(message: string, options: { field?: string | null; status?: number } = {}) {
    super(message);
    this.field = options.field ?? null;
    this.status = options.status ?? 0;
  }
}

// A command line that cannot mean anything (a bad date, two opposite flags): status 2.
export class UsageError extends Error {}

// The line printed for a refusal: the daemon's message, which names the field and the value,
// and the field itself for scripts that grep for it; made safe for a terminal (a remote daemon,
// or a value quoted in the message, may hold escape sequences).
export function describeRefusal(error: RefusedError): string {
  const message = getTerminalText(error.message, { keepNewlines: true });
  return error.field ? `${message} (field: ${getTerminalText(error.field)})` : message;
}
