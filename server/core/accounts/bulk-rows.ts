import { CoreError } from '../errors.ts';
import { say } from '../messages.ts';

// Names the row of a bulk call in an error's field: `accounts.3.login`.
export function atRow(error: unknown, row: number): unknown {
  if (!(error instanceof CoreError)) return error;
  return new CoreError(error.code, say('import.row', { row: row + 1, message: error.coreMessage }), {
    field: `accounts.${row}.${error.field ?? 'row'}`,
    cause: error,
    details: error.details ?? undefined,
  });
}

// Runs `apply` on each row of a bulk call, naming the row in a refusal.
export function mapRows<T, R>(items: T[], apply: (item: T, row: number) => R): R[] {
  return items.map((item, row) => {
    try {
      return apply(item, row);
    } catch (error) {
      throw atRow(error, row);
    }
  });
}

// One row's refusal said as itself (an operation on one account called through a bulk one).
export function unwrapRow(error: unknown): never {
  throw error instanceof CoreError && error.cause instanceof CoreError ? error.cause : error;
}
