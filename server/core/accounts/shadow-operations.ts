import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { OperationContext } from './account-operations.ts';
import { getChangeableAccount } from './account-checks.ts';
import { validateDay } from './validate-fields.ts';
import { quoted, say } from '../messages.ts';

// Pure changes to an account's shadow line: lock, password hash, forced change, expiry.

// Locks (`!` before the hash) or unlocks an account's password. Unlocking an account that
// has no password (`!` alone) is refused, as `usermod -U` does: it would leave an empty
// hash, which PAM's `nullok` (Debian's default) lets anyone log in with.
export function applySetLocked(db: AccountDatabase, login: string, locked: boolean): void {
  getChangeableAccount(db, login);
  const shadow = db.shadow.get(login);
  if (!shadow)
    throw new CoreError('not-found', say('accounts.noShadowToLock', { login: quoted(login) }), { field: 'login' });
  const bare = shadow.hash.replace(/^!+/, '');
  if (!locked && bare === '' && shadow.hash !== '') {
    const message = say('accounts.unlockEmpty', { login: quoted(login) });
    throw new CoreError('invalid-argument', message, { field: 'locked' });
  }
  db.shadow.set({ ...shadow, hash: locked ? `!${bare}` : bare });
}

// Sets a new password hash (keeping a lock), marks it changed today.
export function applySetHash(db: AccountDatabase, login: string, hash: string, context: OperationContext): void {
  getChangeableAccount(db, login);
  const shadow = db.shadow.get(login);
  const locked = shadow?.hash.startsWith('!') ?? false;
  db.shadow.set({
    login,
    minDays: 0,
    maxDays: 99999,
    warnDays: 7,
    inactiveDays: null,
    expireDate: null,
    reserved: '',
    ...shadow,
    hash: locked ? `!${hash}` : hash,
    lastChange: context.today,
  });
}

// Forces a password change at the next login (last change on day 0, as `passwd -e`).
export function applyForcePasswordChange(db: AccountDatabase, login: string): void {
  getChangeableAccount(db, login);
  const shadow = db.shadow.get(login);
  if (!shadow) throw new CoreError('not-found', say('accounts.noShadow', { login: quoted(login) }), { field: 'login' });
  db.shadow.set({ ...shadow, lastChange: 0 });
}

// Sets the day the account expires (days since 1970), or null for never.
export function applySetExpiry(db: AccountDatabase, login: string, day: number | null): void {
  getChangeableAccount(db, login);
  const expireDate = validateDay(day, 'expiry');
  const shadow = db.shadow.get(login);
  if (!shadow) throw new CoreError('not-found', say('accounts.noShadow', { login: quoted(login) }), { field: 'login' });
  db.shadow.set({ ...shadow, expireDate });
}
