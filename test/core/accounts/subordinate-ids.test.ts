import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { findFreeRange, parseSubordinateIds } from '../../../server/core/accounts/subordinate-ids.ts';

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
