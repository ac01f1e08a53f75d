import type { AccountAccess } from '../../core/auth/authenticator.ts';
import type { SessionEndReason } from '../../core/events/event-bus.ts';

// Where sessions read their rights: the core's Authenticator (its revision grows with every
// change of the account files, so an unchanged one needs no new look).
export interface SessionRights {
  readonly revision: number;
  getAccess(login: string, today?: number): AccountAccess | null;
}

// What the files now say of a session: it ends (and why), or it goes on with these rights.
export type SessionVerdict =
  | { ends: SessionEndReason }
  | { ends: null; isAdmin: boolean; fullName: string; credential: string; mustChangePassword?: boolean };

// Judges a session of an account that logged in with the password digest `credential`:
// deleted, locked or expired accounts lose it, and so does a password changed since, unless
// `acceptNewCredential` (the session's own "My account" change). A password past its age
// keeps it: that only matters at the next login.
export function getSessionVerdict(
  access: AccountAccess | null,
  credential: string,
  acceptNewCredential = false,
): SessionVerdict {
  if (!access) return { ends: 'account-removed' };
  if (access.refusal === 'locked') return { ends: 'account-locked' };
  if (access.refusal === 'account-expired') return { ends: 'account-expired' };
  if (access.credential !== credential && !acceptNewCredential) return { ends: 'password-changed' };
  const { isAdmin, fullName } = access.account;
  return { ends: null, isAdmin, fullName, credential: access.credential };
}

// Judges a session opened without a password (local socket, API token): root's never ends;
// another uid's ends when its account is gone, no longer has that uid, or may not log in
// (locked, expired, its password past the inactivity period); a demotion or promotion
// applies at once, and so does a password that must be changed (`mustChangePassword`).
export function getBoundSessionVerdict(access: AccountAccess | null, uid: number): SessionVerdict {
  if (uid === 0) return { ends: null, isAdmin: true, fullName: access?.account.fullName ?? 'root', credential: '' };
  if (!access || access.account.uid !== uid) return { ends: 'account-removed' };
  if (access.refusal === 'password-inactive') return { ends: 'account-expired' };
  const verdict = getSessionVerdict(access, access.credential);
  return verdict.ends ? verdict : { ...verdict, mustChangePassword: access.mustChangePassword };
}
