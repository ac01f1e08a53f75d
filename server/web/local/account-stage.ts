import type { Authenticator } from '../../core/auth/authenticator.ts';
import { CoreError } from '../../core/errors.ts';
import type { WebSession } from '../sessions/session-store.ts';
import { quoted, say } from '../../core/messages.ts';

// How long one caller's account stage answer is kept (PAM may be slow: an LDAP lookup, a
// pam_exec script); a change of the account files asks again at once.
export const accountStageTtlMs = 30_000;

// One caller's last answer (a local connection's, an API token's).
export interface AccountStageMemo {
  login: string;
  revision: number;
  at: number;
  verdict: 'ok' | 'must-change' | 'refused';
}

// Applies the account checks of a login (PAM's account stage on the real machine, shadow(5)
// in a sandbox: Authenticator.checkAccountStage) to a caller without a password, kept in
// `holder.memo` a short while: a refusal throws a 401 CoreError naming the account, a
// password that must be changed marks `session` so that it reaches nothing else (403, as
// over HTTPS). Root (uid 0) is not asked: it stays admin whatever PAM says.
export async function checkAccountStage(
  auth: Authenticator,
  caller: { login: string; uid: number; address: string },
  holder: { memo?: AccountStageMemo | null },
  session?: WebSession,
): Promise<void> {
  if (caller.uid === 0) return;
  const now = Date.now();
  let memo = holder.memo;
  if (!memo || memo.login !== caller.login || memo.revision !== auth.revision || now - memo.at > accountStageTtlMs) {
    const verdict = await auth.checkAccountStage(caller.login, caller.address);
    memo = { login: caller.login, revision: auth.revision, at: now, verdict };
    holder.memo = memo;
  }
  if (memo.verdict === 'refused') {
    const message = say('web.local.accountStage', { login: quoted(caller.login), uid: caller.uid });
    throw new CoreError('permission-denied', message, { field: 'session' });
  }
  if (memo.verdict === 'must-change' && session) session.mustChangePassword = true;
}
