import type { FastifyRequest } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import type { AuditLog } from '../../core/audit/audit-log.ts';

// Runs an admin action and writes its outcome to the audit log: done, refused (a CoreError:
// bad input, a rule, a conflict) or failed (anything else). The action's own error is
// rethrown for the error handler. `detail` may be read from the result (what was really
// done, such as a home left in place).
export async function runAudited<T>(
  audit: AuditLog,
  request: FastifyRequest,
  action: string,
  target: string,
  run: () => Promise<T>,
  detail?: string | ((result: T) => string),
): Promise<T> {
  const who = { login: request.session?.login ?? '-', address: request.ip, action, target };
  try {
    const result = await run();
    const text = typeof detail === 'function' ? detail(result) : detail;
    await audit.record({ ...who, outcome: 'done', ...(text ? { detail: text } : {}) });
    return result;
  } catch (error) {
    const refused = error instanceof CoreError && error.code !== 'internal-error';
    await audit.record({
      ...who,
      outcome: refused ? 'refused' : 'failed',
      detail: (error as Error).message.slice(0, 300),
    });
    throw error;
  }
}
