import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigKeysMarkdown } from '../server/config/config-keys-text.ts';
import { getEnvName, getFlagName } from '../server/config/config-key.ts';
import { configKeys } from '../server/config/config-keys.ts';
import { pamServiceFile } from '../server/core/auth/pam-service-file.ts';

const readme = await readFile(join(import.meta.dirname, '../README.md'), 'utf8');

// The README is the admin's manual: it must list every configuration key the daemon knows,
// as config-keys.ts describes it (`npm run readme:config` writes the list).
describe('README', () => {
  it('lists the configuration keys as config-keys.ts describes them (npm run readme:config)', () => {
    expect(readme).toContain(renderConfigKeysMarkdown());
  });

  it.each(configKeys.map((spec) => [spec.key, spec] as const))('names %s with its flag and variable', (key, spec) => {
    const lines = renderConfigKeysMarkdown([spec]).split('\n').slice(2, -2);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    // Wrapping moved words between lines and dropped none.
    const item = lines.join(' ').replace(/\s+/g, ' ');
    const head = `- \`${key}\` (\`--${getFlagName(key)}\`, \`${getEnvName(key)}\`, default `;
    expect(item.slice(0, head.length)).toBe(head);
    expect(item).toContain(spec.description.join(' '));
  });

  it('shows the PAM service file the daemon expects', () => {
    expect(readme).toContain(pamServiceFile.trim());
  });
});
