// What some string keys must look like, each with the words its error uses.
import type { ConfigKey } from './config-key.ts';

type ValueCheck = NonNullable<ConfigKey['check']>;

// An empty path would silently mean the current directory.
export const nonEmptyPath: ValueCheck = { test: (value) => value !== '', expected: 'a path (not empty)' };

// A PAM service is a file name in /etc/pam.d: no slash, no leading dot.
export const pamServiceName: ValueCheck = {
  test: (value) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value),
  expected: 'a file name in /etc/pam.d',
};

// A login name, or empty for "choose one".
export const loginNameCheck: ValueCheck = {
  test: (value) => value === '' || /^[a-z_][a-z0-9_.-]*[$]?$/.test(value),
  expected: 'a login name',
};

// One of a few words.
export function oneOf(values: readonly string[]): ValueCheck {
  return { test: (value) => values.includes(value), expected: `one of ${values.join(', ')}` };
}
