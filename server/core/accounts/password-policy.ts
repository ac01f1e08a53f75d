import { randomInt } from 'node:crypto';
import { CoreError } from '../errors.ts';
import { createHashSetting, hashPassphrase } from '../../native/native.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import { say } from '../messages.ts';

// Licorn's minimum password length.
export const minPasswordLength = 8;

// Refuses a weak password with a message saying why: shorter than 8, equal to the login
// (any case, or reversed), or all of one class (only lowercase, only digits…).
export function validatePassword(password: unknown, login: string): string {
  if (typeof password !== 'string' || password.length < minPasswordLength) {
    throw new CoreError('invalid-argument', say('passwords.tooShort', { count: minPasswordLength }), {
      field: 'password',
    });
  }
  if (password.length > 4096 || password.includes('\0')) {
    throw new CoreError('invalid-argument', say('passwords.tooLong', { max: 4096 }), {
      field: 'password',
    });
  }
  const lowered = password.toLowerCase();
  if (lowered === login.toLowerCase() || lowered === [...login.toLowerCase()].reverse().join('')) {
    throw new CoreError('invalid-argument', say('passwords.isLogin'), { field: 'password' });
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((pattern) => pattern.test(password)).length;
  if (classes < 2) {
    throw new CoreError('invalid-argument', say('passwords.classes'), { field: 'password' });
  }
  return password;
}

// Makes a 16-character password from letters and digits without look-alikes, with at least
// one lowercase, one uppercase and one digit.
export function createPassword(length = 16): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  for (;;) {
    const password = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password)) return password;
  }
}

// Hashes a password with login.defs' ENCRYPT_METHOD and cost, off the event loop.
export function hashPassword(password: string, defs: LoginDefs): Promise<string> {
  switch (defs.encryptMethod) {
    case 'SHA512':
      return hashPassphrase(password, createHashSetting('$6$', defs.shaRounds));
    case 'SHA256':
      return hashPassphrase(password, createHashSetting('$5$', defs.shaRounds));
    default:
      return hashPassphrase(password, createHashSetting('$y$', defs.yescryptCost));
  }
}
