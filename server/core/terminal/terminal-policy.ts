import { basename } from 'node:path';
import type { AccountAccess } from '../auth/authenticator.ts';
import { type CoreMessage, quoted, renderMessage, say } from '../messages.ts';

// Who may open a terminal in the browser (terminal.allow).
export type TerminalAllow = 'admins' | 'all' | 'none';

// Shells that mean "this account does not log in": such an account never gets a terminal,
// whatever terminal.allow says (runuser would start them, and they would only print and exit,
// but a terminal must not be a way around what the administrator decided).
const closedShells = new Set(['nologin', 'false', 'true']);

// Whether an account's shell refuses logins (nologin, false, true or none at all).
export function isClosedShell(shell: string): boolean {
  return shell !== '' && closedShells.has(basename(shell));
}

// Why `access` (what the account files say of a login now) may not hold a terminal under
// `allow`, or null when it may. Read at every open, attach and input frame, and on every
// account event: rights are the files', now, never the ones at login.
export function sayTerminalRefusal(
  allow: TerminalAllow,
  login: string,
  access: AccountAccess | null,
): CoreMessage | null {
  const account = quoted(login);
  if (!access) return say('tokens.accountGone', { login: account });
  if (access.refusal) return say('terminals.mayNotLogIn', { login: account, reason: access.refusal });
  if (allow === 'none') return say('terminals.off');
  if (allow === 'admins' && !access.account.isAdmin) return say('terminals.adminsOnly', { login: account });
  if (isClosedShell(access.account.shell)) {
    return say('terminals.closedShell', { login: account, shell: access.account.shell });
  }
  return null;
}

// The same in English (logs, tests).
export function getTerminalRefusal(allow: TerminalAllow, login: string, access: AccountAccess | null): string | null {
  const refusal = sayTerminalRefusal(allow, login, access);
  return refusal && renderMessage(refusal, 'en');
}
