import { CoreError } from '../errors.ts';
import { type CoreMessage, quoted, say } from '../messages.ts';
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
  login: say('names.field.login'),
  name: say('names.field.groupName'),
  newName: say('names.field.newName'),
  group: say('names.field.groupName'),
  member: say('names.field.login'),
} as const;

// What a valid name is, in words (namePattern), for every message that refuses one.
export const nameRuleWords = say('names.rule');

// What is wrong with a name that namePattern refuses, in words.
function getNameFault(value: string): CoreMessage {
  if (/[A-Z]/.test(value)) return say('names.fault.capitals');
  if (/\s/.test(value)) return say('names.fault.spaces');
  if (/[^\x00-\x7f]/.test(value)) return say('names.fault.accents');
  if (!/^[a-z_]/.test(value)) return say('names.fault.start');
  if (/\$./.test(value)) return say('names.fault.dollar');
  return say('names.fault.other');
}

// Checks a login or group name; `field` names it in the error.
export function validateName(value: unknown, field: 'login' | 'name' | 'newName' | 'group' | 'member'): string {
  const words = nameFieldWords[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new CoreError('invalid-argument', say('names.missing', { words, rule: nameRuleWords }), { field });
  }
  if (value.length > maxNameLength) {
    const message = say('names.tooLong', { words, value: quoted(value), max: maxNameLength });
    throw new CoreError('invalid-argument', message, { field });
  }
  if (!namePattern.test(value)) {
    const fault = getNameFault(value);
    const message = say('names.invalid', { words, value: quoted(value), fault, rule: nameRuleWords });
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
    throw new CoreError('invalid-argument', say('fullName.notText'), { field: 'fullName' });
  if (value.length > 256)
    throw new CoreError('invalid-argument', say('fullName.tooLong', { value: quoted(value), max: 256 }), {
      field: 'fullName',
    });
  if (unsafeCharacters.test(value) || invisibleCharacters.test(value) || value.includes(',')) {
    throw new CoreError('invalid-argument', say('fullName.invalid', { value: quoted(value) }), { field: 'fullName' });
  }
  return value;
}

// Checks a group description: free text on one line, without `:` or anything invisible.
export function validateDescription(value: unknown): string {
  if (typeof value !== 'string')
    throw new CoreError('invalid-argument', say('description.notText'), { field: 'description' });
  if (value.length > 256)
    throw new CoreError('invalid-argument', say('description.tooLong', { value: quoted(value), max: 256 }), {
      field: 'description',
    });
  if (unsafeCharacters.test(value) || invisibleCharacters.test(value)) {
    const message = say('description.invalid', { value: quoted(value) });
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

// A slash doubled, a `.` or `..` part, or a slash at the end: what normalizing changes.
const notNormal = /\/\/|\/\.\.?(?:\/|$)|.\/$/;

// Whether an absolute path is already as posix.normalize writes it, without a slash at the
// end (`/` apart): most homes are, and a 10,000-row import asks for each new one several times.
export function isNormalPath(path: string): boolean {
  return path.startsWith('/') && !notNormal.test(path);
}

// Checks a home directory: absolute, normalized (no `//`, `/./`, `..` or trailing `/`), of
// portable characters (homePattern), each component at most 255 bytes and the whole at most
// 4095. `field` names the request's field in the error.
export function validateHome(value: unknown, field = 'home'): string {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new CoreError('invalid-argument', say('homes.notAbsolute', { value: quoted(value) }), { field });
  }
  if (!homePattern.test(value)) {
    throw new CoreError('invalid-argument', say('homes.characters', { value: quoted(value) }), { field });
  }
  // (A path no longer than a component cannot hold a component too long: most homes.)
  const tooLongPart =
    value.length > maxHomeComponent && value.split('/').some((part) => part.length > maxHomeComponent);
  if (value.length > maxHomePath || tooLongPart) {
    const message = say('homes.tooLong', { value: quoted(value), part: maxHomeComponent, max: maxHomePath });
    throw new CoreError('invalid-argument', message, { field });
  }
  if (!isNormalPath(value)) {
    throw new CoreError('invalid-argument', say('homes.notNormalized', { value: quoted(value) }), { field });
  }
  return value;
}

// Shells that disable interactive login; valid even though /etc/shells does not list them.
export const noLoginShells = ['/usr/sbin/nologin', '/sbin/nologin', '/bin/false', '/usr/bin/false'];

// Checks a shell against the machine's /etc/shells.
export function validateShell(value: unknown, shells: readonly string[]): string {
  if (typeof value === 'string' && (shells.includes(value) || noLoginShells.includes(value))) return value;
  const valid = [...shells, ...noLoginShells].join(', ');
  throw new CoreError('invalid-argument', say('shells.invalid', { value: quoted(value), valid }), { field: 'shell' });
}

// Checks an id is an integer within [min, max], and not one never handed out (65534…).
export function validateId(value: unknown, field: 'uid' | 'gid', min: number, max: number, kind: CoreMessage): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const message = say('ids.outOfRange', { id: field.toUpperCase(), value: quoted(value), kind, min, max });
    throw new CoreError('invalid-argument', message, { field });
  }
  if (isNeverHandedOut(value)) {
    const message = say('ids.neverHandedOut', { id: field.toUpperCase(), value });
    throw new CoreError('invalid-argument', message, { field });
  }
  return value;
}

// Checks a date given as days since 1970 (shadow's expiry), or null for "never".
export function validateDay(value: unknown, field: string): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2_932_896) {
    throw new CoreError('invalid-argument', say('days.invalid', { field, value: quoted(value) }), { field });
  }
  return value;
}
