import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { allocateRanges, findFreeRange, parseSubordinateIds } from '../../../server/core/accounts/subordinate-ids.ts';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
  // As on Debian: the files exist, so useradd and we allocate ranges.
  await writeFile(join(s.root, 'etc/subuid'), 'adurand:100000:65536\n');
  await writeFile(join(s.root, 'etc/subgid'), 'adurand:100000:65536\n');
});
afterAll(() => s.remove());

const ranges = async (name: string) => parseSubordinateIds(await readFile(join(s.root, 'etc', name), 'utf8')).flatMap((line) => (line.entry ? [line.entry] : []));

describe('subordinate ids (subuid, subgid)', () => {
  it('finds the lowest free range', () => {
    expect(findFreeRange([], 100000, 600100000, 65536)).toBe(100000);
    expect(findFreeRange([{ owner: 'a', start: 100000, count: 65536 }, { owner: 'b', start: 300000, count: 10 }], 100000, 600100000, 65536)).toBe(165536);
    expect(findFreeRange([{ owner: 'a', start: 100000, count: 65536 }], 100000, 165535 + 100, 65536)).toBeNull();
  });

  it('allocates many ranges in one pass as repeated single allocations would, and none past a full space', () => {
    const existing = [{ owner: 'a', start: 100000, count: 65536 }, { owner: 'b', start: 200000, count: 100000 }, { owner: 'c', start: 400000, count: 10 }];
    const owners = Array.from({ length: 50 }, (_, i) => `u${i}`);
    const ranges = [...existing];
    const expected: typeof existing = [];
    for (const owner of owners) {
      const start = findFreeRange(ranges, 100000, 3_000_000, 65536);
      if (start === null) break;
      ranges.push({ owner, start, count: 65536 });
      expected.push({ owner, start, count: 65536 });
    }
    expect(expected.length).toBeGreaterThan(30);
    expect(expected.length).toBeLessThan(50);
    expect(allocateRanges(existing, owners, 100000, 3_000_000, 65536)).toEqual(expected);
  });

  it('gives new standard accounts a range, agrees with useradd, removes and renames it', async () => {
    await s.service.createAccount({ login: 'podman', password: null, createHome: false });
    await run('useradd', ['--prefix', s.root, '-M', 'docker']);
    await s.service.createAccount({ login: 'sysd', system: true, password: null, createHome: false });
    for (const name of ['subuid', 'subgid']) {
      const list = await ranges(name);
      expect(list.map((range) => [range.owner, range.start, range.count])).toEqual([
        ['adurand', 100000, 65536], ['podman', 165536, 65536], ['docker', 231072, 65536],
      ]);
    }
    await s.service.renameAccount('podman', 'buildah');
    expect((await ranges('subuid')).find((range) => range.start === 165536)!.owner).toBe('buildah');
    await s.service.deleteAccount('buildah');
    expect((await ranges('subgid')).map((range) => range.owner)).toEqual(['adurand', 'docker']);
  });
});
