import { describe, expect, it } from 'vitest';
import { applyPamHashMethod, parsePamHashMethod } from '../../../server/core/auth/pam-hash-method.ts';
import { parseLoginDefs } from '../../../server/core/accounts/parse-login-defs.ts';

// Debian 12's /etc/pam.d/common-password, as pam-auth-update writes it.
const debianCommonPassword = `# here are the per-package modules (the "Primary" block)
password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt
# here's the fallback if no module succeeds
password\trequisite\t\t\tpam_deny.so
password\trequired\t\t\tpam_permit.so
`;

describe("the hash method of PAM's password stack", () => {
  it("reads pam_unix's method and rounds, whatever the control field", () => {
    expect(parsePamHashMethod(debianCommonPassword)).toEqual({ method: 'YESCRYPT', rounds: null });
    expect(parsePamHashMethod('password required /lib/security/pam_unix.so sha512 rounds=65536\n')).toEqual({
      method: 'SHA512',
      rounds: 65536,
    });
    expect(parsePamHashMethod('-password sufficient pam_unix.so use_authtok sha256\n')).toEqual({
      method: 'SHA256',
      rounds: null,
    });
  });

  it('finds none without a pam_unix password line, in comments, or for a method it does not write', () => {
    expect(parsePamHashMethod('')).toBeNull();
    expect(parsePamHashMethod('# password required pam_unix.so yescrypt\n')).toBeNull();
    expect(parsePamHashMethod('auth required pam_unix.so yescrypt\n')).toBeNull();
    expect(parsePamHashMethod('password required pam_unix.so md5\n')).toBeNull();
    expect(parsePamHashMethod('password required pam_pwquality.so yescrypt\n')).toBeNull();
  });

  it("replaces login.defs' ENCRYPT_METHOD (Debian's says SHA512), and keeps it without a PAM method", () => {
    const defs = parseLoginDefs('ENCRYPT_METHOD SHA512\nYESCRYPT_COST_FACTOR 7\n');
    expect(applyPamHashMethod(defs, debianCommonPassword)).toMatchObject({
      encryptMethod: 'YESCRYPT',
      yescryptCost: 7,
    });
    expect(applyPamHashMethod(defs, 'password required pam_unix.so yescrypt rounds=9\n')).toMatchObject({
      encryptMethod: 'YESCRYPT',
      yescryptCost: 9,
    });
    expect(applyPamHashMethod(defs, '')).toBe(defs);
  });
});
