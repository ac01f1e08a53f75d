// What a configuration key is, and the names it goes by in variables and flags.

export type ConfigValueType = 'string' | 'host' | 'integer' | 'number' | 'boolean' | 'string-list';

export interface ConfigKey {
  key: string;
  type: ConfigValueType;
  default: string | number | boolean | string[];
  // What the key does, for the README and --help: lines of one paragraph (joined with spaces).
  description: string[];
  // Inclusive bounds for numbers.
  min?: number;
  max?: number;
  // Old Licorn spellings accepted in the file for this key (`extensions.volumes.mount_all_fs`).
  aliases?: string[];
  // What a string must look like, and how the error says so.
  check?: { test(value: string): boolean; expected: string };
}

// The environment variable of a key: LICORN_ then the key in capitals, dots as underscores.
export function getEnvName(key: string): string {
  return 'LICORN_' + key.toUpperCase().replace(/[.-]/g, '_');
}

// The command-line flag of a key: dots and underscores become dashes.
export function getFlagName(key: string): string {
  return key.replace(/[._]/g, '-');
}
