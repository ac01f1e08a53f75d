import type { LoginDefs } from '../accounts/parse-login-defs.ts';

// The hash methods of pam_unix's options that the accounts core writes, as login.defs'
// ENCRYPT_METHOD names them.
const pamMethods: Record<string, string> = { yescrypt: 'YESCRYPT', sha512: 'SHA512', sha256: 'SHA256' };

// Reads the hash method (and `rounds=`) of the pam_unix line of a PAM `password` stack
// (Debian's /etc/pam.d/common-password: `password [success=1 default=ignore] pam_unix.so
// obscure yescrypt`), as `passwd` and `chpasswd` hash through it; null when there is no such
// line or it names no method we write (pam_unix then falls back to login.defs, and so do we).
export function parsePamHashMethod(text: string): { method: string; rounds: number | null } | null {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    // type, control (a word or a bracketed list with spaces), module, options.
    const match = /^-?password\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match || !/(^|\/)pam_unix\.so$/.test(match[2]!)) continue;
    const options = match[3]!.split(/\s+/).filter(Boolean);
    const method = options.map((option) => pamMethods[option]).find(Boolean);
    if (!method) return null;
    const rounds = options.map((option) => /^rounds=(\d+)$/.exec(option)?.[1]).find(Boolean);
    return { method, rounds: rounds ? Number(rounds) : null };
  }
  return null;
}

// login.defs' settings with the hash method PAM's password stack uses instead, when it names
// one: what `passwd` and `chpasswd` would write on the real machine (Debian's login.defs says
// SHA512 where its PAM writes yescrypt).
export function applyPamHashMethod(defs: LoginDefs, commonPassword: string): LoginDefs {
  const pam = parsePamHashMethod(commonPassword);
  if (!pam) return defs;
  const rounds = pam.rounds ?? undefined;
  return pam.method === 'YESCRYPT'
    ? { ...defs, encryptMethod: pam.method, yescryptCost: rounds ?? defs.yescryptCost }
    : { ...defs, encryptMethod: pam.method, shaRounds: rounds ?? defs.shaRounds };
}
