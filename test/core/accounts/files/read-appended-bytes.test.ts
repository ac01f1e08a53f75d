import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppendedBytes } from '../../../../server/core/accounts/files/read-appended-bytes.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-appended-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// A passwd of `count` lines (about 60 bytes each): 10,000 of them span several of the pieces
// the bytes are compared by.
const lines = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `user${from + i}:x:${from + i}:100::/home/user${from + i}:/bin/sh\n`).join(
    '',
  );

describe('reading only what a file appended to the bytes kept of it', () => {
  const kept = Buffer.from(lines(0, 10_000));
  // Kept as the store keeps a file after its own writes: several pieces.
  const pieces = [kept.subarray(0, 100_000), kept.subarray(100_000, 400_000), kept.subarray(400_000)];
  const write = async (content: string | Buffer) => {
    const path = join(dir, 'passwd');
    await writeFile(path, content);
    return path;
  };

  it('returns the appended lines, or nothing new', async () => {
    const tail = lines(10_000, 2);
    expect((await readAppendedBytes(await write(Buffer.concat([kept, Buffer.from(tail)])), pieces))?.toString()).toBe(
      tail,
    );
    expect((await readAppendedBytes(await write(kept), pieces))?.length).toBe(0);
  });

  it('refuses a file changed anywhere before its end, shorter, unfinished or missing', async () => {
    const changed = Buffer.concat([kept, Buffer.from(lines(10_000, 1))]);
    // One byte in the second 256 KiB piece compared (the kept bytes are 440 KB), the same length otherwise.
    expect(kept.length).toBeGreaterThan(300_000);
    changed[300_000] = changed[300_000] === 0x61 ? 0x62 : 0x61;
    expect(await readAppendedBytes(await write(changed), pieces)).toBeNull();
    expect(await readAppendedBytes(await write(kept.subarray(0, kept.length - 1)), pieces)).toBeNull();
    expect(
      await readAppendedBytes(await write(Buffer.concat([kept, Buffer.from('user:x:1:1::/:/bin/sh')])), pieces),
    ).toBeNull();
    expect(await readAppendedBytes(join(dir, 'missing'), pieces)).toBeNull();
  });
});
