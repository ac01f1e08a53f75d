import type { ConfigKey } from './config-keys.ts';
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
      return raw as string;
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
      return fail('true or false');
    case 'string-list':
      if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw as string[];
      if (typeof raw === 'string') return raw.split(',').map((item) => item.trim()).filter(Boolean);
      return fail('a list of strings');
    case 'integer':
    case 'number': {
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      const range = `${spec.min ?? '-∞'}–${spec.max ?? '∞'}`;
      const noun = spec.type === 'integer' ? 'an integer' : 'a number';
      if (typeof value !== 'number' && typeof value !== 'bigint') fail(`${noun} in ${range}`);
      const number = Number(value);
      if (!Number.isFinite(number) || (spec.type === 'integer' && !Number.isInteger(number))) fail(`${noun} in ${range}`);
      if ((spec.min !== undefined && number < spec.min) || (spec.max !== undefined && number > spec.max)) {
        fail(`${noun} in ${range}`);
      }
      return number;
    }
  }
}
