import { basename } from 'node:path';
import type { AccountAccess } from '../auth/authenticator.ts';

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
export function getTerminalRefusal(allow: TerminalAllow, login: string, access: AccountAccess | null): string | null {
  if (!access) return `Account "${login}" no longer exists`;
  if (access.refusal) return `Account "${login}" may not log in now (${access.refusal})`;
  if (allow === 'none') return 'Terminals are switched off on this server (terminal.allow = "none")';
  if (allow === 'admins' && !access.account.isAdmin) {
    return `Account "${login}" may not open a terminal: terminal.allow = "admins" and it is not an administrator`;
  }
  if (isClosedShell(access.account.shell)) {
    return `Account "${login}" may not open a terminal: its shell is ${access.account.shell}`;
  }
  return null;
}
