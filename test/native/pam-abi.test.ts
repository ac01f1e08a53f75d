import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const projectDir = join(import.meta.dirname, '../..');

// The `#define NAME value` lines of a C header.
function parseDefines(text: string): Map<string, string> {
  const defines = new Map<string, string>();
  for (const match of text.matchAll(/^#define\s+(PAM_\w+)\s+(\S+)/gm)) defines.set(match[1]!, match[2]!);
  return defines;
}

describe('the PAM ABI the addon declares itself (server/native/pam-abi.h)', () => {
  it("has Linux-PAM's own values, as the system header (libpam0g-dev, a test dependency) says", async () => {
    const ours = parseDefines(await readFile(join(projectDir, 'server/native/pam-abi.h'), 'utf8'));
    const system = parseDefines(await readFile('/usr/include/security/_pam_types.h', 'utf8'));
    expect(ours.size).toBeGreaterThan(20);
    for (const [name, value] of ours) expect(`${name} ${system.get(name)}`).toBe(`${name} ${value}`);
  });

  it('is built without linking libpam: the demo starts where only libpam0g is installed', () => {
    const libraries = execFileSync('ldd', [join(projectDir, 'build/Release/licorn_native.node')], { encoding: 'utf8' });
    expect(libraries).toContain('libcrypt');
    expect(libraries).not.toContain('libpam');
  });
});
