import { isIP } from 'node:net';
import type { ConfigKey } from './config-key.ts';
import { ConfigError } from './config-error.ts';

export type ConfigValue = string | number | boolean | string[];

// Checks a value from the file (already typed by TOML) or from a flag/environment variable
// (a string) against its key, and returns it with the key's type. `where` names the source.
export function coerceConfigValue(spec: ConfigKey, raw: unknown, where: string): ConfigValue {
  const fail = (expected: string): never => {
    throw new ConfigError(`${where}: ${spec.key} must be ${expected}, got ${JSON.stringify(raw)}`);
  };
  switch (spec.type) {
    case 'string':
      if (typeof raw !== 'string') fail('a string');
      // Paths and names: a control character is a mistake (and a NUL would reach fs calls).
      if (/[\u0000-\u001f\u007f]/.test(raw as string)) fail('text without control characters');
      if (spec.check && !spec.check.test(raw as string)) fail(spec.check.expected);
      return raw as string;
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
      return fail('true or false');
    case 'string-list':
      if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw as string[];
      if (typeof raw === 'string')
        return raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
      return fail('a list of strings');
    case 'integer':
    case 'number': {
      const range = `${spec.min ?? '-∞'}–${spec.max ?? '∞'}`;
      const expected =
        spec.type === 'integer' ? `an integer in ${range} (decimal digits only)` : `a number in ${range}`;
      // A flag or a variable is text: decimal digits only (Number() would also take `0x10`,
      // `1e3`, ` 12`, `+5` or `-0`). From the file, TOML already typed it.
      if (typeof raw === 'string' && !(spec.type === 'integer' ? /^\d+$/ : /^\d+(\.\d+)?$/).test(raw)) fail(expected);
      const number = typeof raw === 'string' ? Number(raw) : raw;
      if (typeof number !== 'number' || !Number.isFinite(number) || Object.is(number, -0)) fail(expected);
      const value = number as number;
      if (spec.type === 'integer' && !Number.isSafeInteger(value)) fail(expected);
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) fail(expected);
      return value;
    }
    case 'host':
      if (typeof raw !== 'string' || !isHost(raw)) fail('an IP address or a host name');
      return raw as string;
  }
}

// An IPv4 or IPv6 address, or a host name (RFC 1123 labels; a name all of digits and dots,
// such as 999.1.1.1, is a mistyped address, not a name).
function isHost(value: string): boolean {
  if (isIP(value) !== 0) return true;
  if (value.length > 253 || /^[\d.]+$/.test(value)) return false;
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
  return value
    .replace(/\.$/, '')
    .split('.')
    .every((part) => label.test(part));
}
