import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configKeys, getEnvName, getFlagName } from '../server/config/config-keys.ts';
import { pamServiceFile } from '../server/core/auth/pam-service-file.ts';

const readme = await readFile(join(import.meta.dirname, '../README.md'), 'utf8');

// The README is the admin's manual: it must list every configuration key the daemon knows.
describe('README', () => {
  it.each(configKeys.map((spec) => [spec.key, spec] as const))(
    'documents %s with its flag and variable',
    (key, spec) => {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
      expect(row, `a table row for ${key}`).toBeDefined();
      expect(row).toContain(`\`--${getFlagName(spec.key)}\``);
      expect(row).toContain(`\`${getEnvName(spec.key)}\``);
    },
  );

  it('shows the PAM service file the daemon expects', () => {
    expect(readme).toContain(pamServiceFile.trim());
  });
});
