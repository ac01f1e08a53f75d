import type { Authenticator } from '../../core/auth/authenticator.ts';
import { CoreError } from '../../core/errors.ts';
import { getBoundSessionVerdict } from '../sessions/session-access.ts';
import type { LocalAccount } from '../sessions/session-store.ts';
import { type CoreMessage, quoted, say } from '../../core/messages.ts';

const refusals: Record<string, CoreMessage> = {
  'account-locked': say('web.local.locked'),
  'account-expired': say('web.local.expired'),
  'account-removed': say('web.local.removed'),
};

// The account `login` as a caller without a password (an API token) acts now: it must still
// exist with `uid`, and may log in. Throws a 401 CoreError naming the account otherwise.
export function getBoundAccount(auth: Authenticator, login: string, uid: number): LocalAccount {
  const verdict = getBoundSessionVerdict(auth.getAccess(login), uid);
  if (verdict.ends) {
    const why = refusals[verdict.ends] ?? say('web.local.mayNotLogIn');
    throw new CoreError('permission-denied', say('web.local.refused', { login: quoted(login), uid, why }), {
      field: 'session',
    });
  }
  const { fullName, isAdmin, mustChangePassword } = verdict;
  return { login, fullName, isAdmin, uid, ...(mustChangePassword ? { mustChangePassword } : {}) };
}

// Who a local socket peer with this uid is, as the account files say now: root (uid 0) is
// an admin whatever the files hold; another uid is the account that has it (first in the
// files, as getpwuid answers), admin if a member of the admin groups. Throws a 401
// CoreError naming the uid when no account has it, or when its account may not log in.
export function getLocalAccount(auth: Authenticator, uid: number): LocalAccount {
  if (uid === 0) return { login: 'root', fullName: auth.getAccount('root')?.fullName || 'root', isAdmin: true, uid };
  const login = auth.getLoginOfUid(uid);
  if (login === null) {
    throw new CoreError('permission-denied', say('web.local.noAccount', { uid }), { field: 'session' });
  }
  return getBoundAccount(auth, login, uid);
}
