import { posix } from 'node:path';
import { CoreError } from '../errors.ts';
import { isNeverHandedOut } from './account-ranges.ts';

// Login and group names, as DESIGN.md fixes them (shadow-utils' default rule).
export const namePattern = /^[a-z_][a-z0-9_.-]*[$]?$/;
export const maxNameLength = 32;

// A value as an error message shows it: quoted, escaped (never a raw newline or control
// character in a message or a log line), cut after 80 characters.
export function quote(value: unknown): string {
  return (
    JSON.stringify(typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}…` : value) ?? String(value)
  );
}

// Characters that would break a colon-separated file or a terminal: `:`, newline, NUL, and
// every other control character.
const unsafeCharacters = /[:\u0000-\u001f\u007f]/;

// Each name field as a message names it.
const nameFieldWords = {
  login: 'login',
  name: 'group name',
  newName: 'new name',
  group: 'group name',
  member: 'login',
} as const;

// What a valid name is, in words (namePattern), for every message that refuses one.
export const nameRuleWords =
  'lowercase letters a–z, digits, "_", "." and "-", beginning with a letter or "_" ' +
  '(a final "$" is allowed for machine accounts), for example "jdupont"';

// What is wrong with a name that namePattern refuses, in words.
function getNameFault(value: string): string {
  if (/[A-Z]/.test(value)) return 'it has capital letters';
  if (/\s/.test(value)) return 'it has spaces';
  if (/[^\x00-\x7f]/.test(value)) return 'it has accented or non-Latin letters';
  if (!/^[a-z_]/.test(value)) return 'it does not begin with a letter or "_"';
  if (/\$./.test(value)) return '"$" may only end it';
  return 'it has characters a name cannot hold';
}

// Checks a login or group name; `field` names it in the error.
export function validateName(value: unknown, field: 'login' | 'name' | 'newName' | 'group' | 'member'): string {
  const words = nameFieldWords[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new CoreError('invalid-argument', `The ${words} is missing: use ${nameRuleWords}`, { field });
  }
  if (value.length > maxNameLength) {
    const message = `The ${words} ${quote(value)} is too long: at most ${maxNameLength} characters`;
    throw new CoreError('invalid-argument', message, { field });
  }
  if (!namePattern.test(value)) {
    const message = `The ${words} ${quote(value)} is not valid (${getNameFault(value)}): use ${nameRuleWords}`;
    throw new CoreError('invalid-argument', message, { field });
  }
  return value;
}

// Characters no name or description needs and that only hide or disguise text: control
// characters (C0, DEL, C1), the line and paragraph separators U+2028/U+2029 (a new line to
// many readers), lone surrogates, and the invisible format characters (bidi overrides and
// isolates, zero-width space, word joiner, BOM, soft hyphen…), except the zero-width
// non-joiner and joiner that Persian or Indic names need. U+00A0 (no-break space) is fine.
const invisibleCharacters = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]|(?![\u200c\u200d])\p{Cf}/u;

// Checks a full name (the first GECOS field): no `:` or `,` (field separators), nothing
// invisible (invisibleCharacters); any other Unicode is fine (Amélie Durand, O'Brien,
// Jean-Luc Ba).
export function validateFullName(value: unknown): string {
  if (typeof value !== 'string')
    throw new CoreError('invalid-argument', 'The full name must be text', { field: 'fullName' });
  if (value.length > 256)
    throw new CoreError('invalid-argument', `Full name ${quote(value)} is longer than 256 characters`, {
      field: 'fullName',
    });
  if (unsafeCharacters.test(value) || invisibleCharacters.test(value) || value.includes(',')) {
    const message = `Invalid full name ${quote(value)}: no ":", ",", control, line-separator or invisible characters`;
    throw new CoreError('invalid-argument', message, { field: 'fullName' });
  }
  return value;
}

// Checks a group description: free text on one line, without `:` or anything invisible.
export function validateDescription(value: unknown): string {
  if (typeof value !== 'string')
    throw new CoreError('invalid-argument', 'The description must be text', { field: 'description' });
  if (value.length > 256)
    throw new CoreError('invalid-argument', `Description ${quote(value)} is longer than 256 characters`, {
      field: 'description',
    });
  if (unsafeCharacters.test(value) || invisibleCharacters.test(value)) {
    const message = `Invalid description ${quote(value)}: no ":", control, line-separator or invisible characters`;
    throw new CoreError('invalid-argument', message, { field: 'description' });
  }
  return value;
}

// The characters of a home: the portable filename set (POSIX: letters, digits, `.`, `_`,
// `-`) with `/`, `+` and `@`; nothing a reader could mistake for something else (a Cyrillic
// "а", a no-break space) or that a shell or a colon-separated file would take apart.
const homePattern = /^[A-Za-z0-9._\-/+@]+$/;
// Linux's limits (NAME_MAX, PATH_MAX less the final NUL): a longer home could not be made.
const maxHomeComponent = 255;
const maxHomePath = 4095;

// Checks a home directory: absolute, normalized (no `//`, `/./`, `..` or trailing `/`), of
// portable characters (homePattern), each component at most 255 bytes and the whole at most
// 4095. `field` names the request's field in the error.
export function validateHome(value: unknown, field = 'home'): string {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new CoreError('invalid-argument', `Invalid home ${quote(value)}: must be an absolute path`, { field });
  }
  if (!homePattern.test(value)) {
    const message =
      `Invalid home ${quote(value)}: only letters A–Z and a–z, digits, ` + '"/", ".", "_", "-", "+" and "@"';
    throw new CoreError('invalid-argument', message, { field });
  }
  if (value.length > maxHomePath || value.split('/').some((part) => part.length > maxHomeComponent)) {
    const message =
      `Invalid home ${quote(value)}: at most ${maxHomeComponent} characters between slashes ` +
      `and ${maxHomePath} in all`;
    throw new CoreError('invalid-argument', message, { field });
  }
  if (posix.normalize(value) !== value || (value.endsWith('/') && value !== '/')) {
    const message =
      `Invalid home ${quote(value)}: must be a normalized absolute path ` + '(no "//", "/./", ".." or final "/")';
    throw new CoreError('invalid-argument', message, { field });
  }
  return value;
}

// Shells that disable interactive login; valid even though /etc/shells does not list them.
export const noLoginShells = ['/usr/sbin/nologin', '/sbin/nologin', '/bin/false', '/usr/bin/false'];

// Checks a shell against the machine's /etc/shells.
export function validateShell(value: unknown, shells: readonly string[]): string {
  if (typeof value === 'string' && (shells.includes(value) || noLoginShells.includes(value))) return value;
  throw new CoreError(
    'invalid-argument',
    `Invalid shell ${quote(value)}: valid shells are ${[...shells, ...noLoginShells].join(', ')}`,
    { field: 'shell' },
  );
}

// Checks an id is an integer within [min, max], and not one never handed out (65534…).
export function validateId(value: unknown, field: 'uid' | 'gid', min: number, max: number, kind: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new CoreError(
      'invalid-argument',
      `${field.toUpperCase()} ${quote(value)} is out of range for ${kind}: ${min}–${max}`,
      { field },
    );
  }
  if (isNeverHandedOut(value)) {
    const message = `${field.toUpperCase()} ${value} is never handed out (nobody's and nogroup's IDs): choose another`;
    throw new CoreError('invalid-argument', message, { field });
  }
  return value;
}

// Checks a date given as days since 1970 (shadow's expiry), or null for "never".
export function validateDay(value: unknown, field: string): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2_932_896) {
    throw new CoreError('invalid-argument', `Invalid ${field} ${quote(value)}: a day count since 1970-01-01, or null`, {
      field,
    });
  }
  return value;
}
