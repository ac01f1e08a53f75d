import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const projectDir = join(import.meta.dirname, '../..');

// The `#define NAME value` lines of a C header (BLKID_ names), tabs or spaces apart.
function parseDefines(text: string): Map<string, string> {
  const defines = new Map<string, string>();
  for (const match of text.matchAll(/^#define\s+(BLKID_\w+)\s+(\([^)]*\)|\S+)/gm)) defines.set(match[1]!, match[2]!);
  return defines;
}

describe('the libblkid ABI the addon declares itself (server/native/blkid-abi.h)', () => {
  it("has libblkid's own values, as the system header (libblkid-dev, a test dependency) says", async () => {
    const ours = parseDefines(await readFile(join(projectDir, 'server/native/blkid-abi.h'), 'utf8'));
    const system = parseDefines(await readFile('/usr/include/blkid/blkid.h', 'utf8'));
    expect(ours.size).toBe(7);
    for (const [name, value] of ours) expect(`${name} ${system.get(name)}`).toBe(`${name} ${value}`);
    const header = await readFile('/usr/include/blkid/blkid.h', 'utf8');
    expect(header).toMatch(/typedef struct blkid_struct_probe \*blkid_probe;/);
    expect(header).toMatch(/typedef int64_t blkid_loff_t;/);
  });

  it('is built without linking libblkid: npm ci needs no libblkid-dev', () => {
    const libraries = execFileSync('ldd', [join(projectDir, 'build/Release/licorn_native.node')], { encoding: 'utf8' });
    expect(libraries).not.toContain('libblkid');
  });
});
