import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthenticatedAccount } from '../../core/auth/authenticator.ts';
import { type CoreMessage, say } from '../../core/messages.ts';
import { waitUnlessStopping } from '../plugins/stopping-signal.ts';

// What a login attempt came to: the account (and whether it must change its password
// first), or a refusal: 429 past the throttle (retry in ms), 401 for any wrong login (after
// the padding), 503 when the daemon began to stop while padding.
export type LoginCheck = { ok: true; account: AuthenticatedAccount; mustChangePassword: boolean } | LoginRefusal;

// A refused login attempt (see LoginCheck).
export type LoginRefusal = { ok: false; status: 429; retryIn: number } | { ok: false; status: 401 | 503 };

// What a refused login says, kept as a message for the reader's language, and in how many
// seconds to come back (Retry-After; null after a wrong login): the form's and the API's
// one wording (the API said it in English only, with words of its own, until the
// twenty-second session).
export function describeLoginRefusal(refusal: LoginRefusal): { message: CoreMessage; retryAfterS: number | null } {
  if (refusal.status === 429) {
    const minutes = Math.ceil(refusal.retryIn / 60_000);
    return { message: say('web.login.tooMany', { minutes }), retryAfterS: Math.ceil(refusal.retryIn / 1000) };
  }
  // Stopping: the same answer for every login in flight, so it tells nothing either.
  if (refusal.status === 503) return { message: say('web.stopping'), retryAfterS: 5 };
  return { message: say('web.login.failed'), retryAfterS: null };
}

// The one password check of a login, for the form and the API alike: counted against the
// throttle before the password is checked (a burst checks no more than the limit), the same
// answer after the same delay (auth.fail_delay from `started`) whatever went wrong, logged.
export async function checkLogin(
  app: FastifyInstance,
  request: FastifyRequest,
  login: string,
  password: string,
  started: number,
): Promise<LoginCheck> {
  const { reservation, retryIn } = app.loginThrottle.reserve(login, request.ip);
  if (!reservation) {
    request.log.warn({ login: login.slice(0, 64), address: request.ip }, 'login refused: too many failures');
    return { ok: false, status: 429, retryIn };
  }
  const outcome = await app.core.auth.authenticate(login, password, request.ip).catch((error: unknown) => {
    request.log.error({ err: error }, 'the password check failed');
    return { ok: false, reason: 'check-failed' } as const;
  });
  if (!outcome.ok) {
    request.log.info({ login: login.slice(0, 64), address: request.ip, reason: outcome.reason }, 'login failed');
    // Same answer, same time, whatever went wrong; the reservation stays as a failure.
    const wait = Math.max(0, started + app.config.auth.failDelayMs - Date.now());
    const padded = await waitUnlessStopping(wait, app.stopping);
    return { ok: false, status: padded ? 401 : 503 };
  }
  reservation.release();
  app.loginThrottle.recordSuccess(login);
  return { ok: true, account: outcome.account, mustChangePassword: outcome.mustChangePassword };
}
