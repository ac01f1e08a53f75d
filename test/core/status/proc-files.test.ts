import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcFiles } from '../../../server/core/status/sampler.ts';

describe('createProcFiles', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('reads each file whole, a long one then a short one, through the one buffer it keeps', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'licorn-proc-files-'));
    dirs.push(dir);
    // Past the buffer's first 16 KiB, and not a multiple of it.
    const long = Array.from({ length: 3000 }, (_, index) => `sda${index} 1 2 3 4 5 6 7 8 9 10 11\n`).join('');
    await writeFile(join(dir, 'diskstats'), long);
    await writeFile(join(dir, 'loadavg'), '0.52 0.58 0.59 1/389 12345\n');
    const proc = createProcFiles(dir);
    expect(await proc.read('diskstats')).toBe(long);
    expect(await proc.read('loadavg')).toBe('0.52 0.58 0.59 1/389 12345\n');
    expect(await proc.read('diskstats')).toBe(long);
  });

  it("reads the kernel's /proc files, whose size stat gives as 0", async () => {
    const text = await createProcFiles().read('self/mountinfo');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toMatch(/^\d+ \d+ \d+:\d+ \/ \/ /m);
  });

  it('rejects for a file that is not there', async () => {
    await expect(createProcFiles('/nonexistent').read('stat')).rejects.toThrow(/ENOENT/);
  });
});
