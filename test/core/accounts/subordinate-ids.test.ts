import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import {
  allocateRanges,
  changeSubordinateLines,
  findFreeRange,
  mergeByStart,
  parseSubordinateIds,
  SubordinateIndex,
} from '../../../server/core/accounts/subordinate-ids.ts';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
  // As on Debian: the files exist, so useradd and we allocate ranges.
  await writeFile(join(s.root, 'etc/subuid'), 'adurand:100000:65536\n');
  await writeFile(join(s.root, 'etc/subgid'), 'adurand:100000:65536\n');
});
afterAll(() => s.remove());

const ranges = async (name: string) =>
  parseSubordinateIds(await readFile(join(s.root, 'etc', name), 'utf8')).flatMap((line) =>
    line.entry ? [line.entry] : [],
  );

describe('subordinate ids (subuid, subgid)', () => {
  it('finds the lowest free range', () => {
    expect(findFreeRange([], 100000, 600100000, 65536)).toBe(100000);
    expect(
      findFreeRange(
        [
          { owner: 'a', start: 100000, count: 65536 },
          { owner: 'b', start: 300000, count: 10 },
        ],
        100000,
        600100000,
        65536,
      ),
    ).toBe(165536);
    expect(findFreeRange([{ owner: 'a', start: 100000, count: 65536 }], 100000, 165535 + 100, 65536)).toBeNull();
  });

  it('allocates many ranges in one pass as repeated single allocations would, and none past a full space', () => {
    const existing = [
      { owner: 'a', start: 100000, count: 65536 },
      { owner: 'b', start: 200000, count: 100000 },
      { owner: 'c', start: 400000, count: 10 },
    ];
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
        ['adurand', 100000, 65536],
        ['podman', 165536, 65536],
        ['docker', 231072, 65536],
      ]);
    }
    await s.service.renameAccount('podman', 'buildah');
    expect((await ranges('subuid')).find((range) => range.start === 165536)!.owner).toBe('buildah');
    await s.service.deleteAccount('buildah');
    expect((await ranges('subgid')).map((range) => range.owner)).toEqual(['adurand', 'docker']);
  });

  it('changes only what it must: an addition appends to the text as it was, odd lines stay', () => {
    const text = '# kept\nadurand:100000:65536\n\nbob:165536:65536\n';
    const space = { min: 100000, max: 600100000, count: 65536 };
    const added = changeSubordinateLines(
      text,
      parseSubordinateIds(text),
      { added: ['carol'], removed: new Set(), renamed: new Map() },
      space,
    )!;
    expect(added.text).toBe(`${text}carol:231072:65536\n`);
    const removed = changeSubordinateLines(
      added.text,
      added.lines,
      { added: [], removed: new Set(['bob']), renamed: new Map([['carol', 'dave']]) },
      space,
    )!;
    expect(removed.text).toBe('# kept\nadurand:100000:65536\n\ndave:231072:65536\n');
    expect(
      changeSubordinateLines(
        text,
        parseSubordinateIds(text),
        { added: ['bob'], removed: new Set(['nobody']), renamed: new Map([['x', 'y']]) },
        space,
      ),
    ).toBeNull();
  });

  it('writes subuid/subgid in the same locked transaction: a refusal leaves them, a bulk delete empties', async () => {
    const before = await Promise.all(['subuid', 'subgid'].map((name) => readFile(join(s.root, 'etc', name), 'utf8')));
    await expect(
      s.service.createAccounts([
        { login: 'bulkok', password: null, createHome: false },
        { login: 'bad:login', password: null, createHome: false },
      ]),
    ).rejects.toThrow();
    expect(await Promise.all(['subuid', 'subgid'].map((name) => readFile(join(s.root, 'etc', name), 'utf8')))).toEqual(
      before,
    );
    await s.service.createAccounts(['b1', 'b2', 'b3'].map((login) => ({ login, password: null, createHome: false })));
    expect((await ranges('subuid')).map((range) => range.owner)).toEqual(['adurand', 'docker', 'b1', 'b2', 'b3']);
    await s.service.deleteAccounts(['b1', 'b3'], 'keep');
    expect((await ranges('subuid')).map((range) => range.owner)).toEqual(['adurand', 'docker', 'b2']);
  });

  it('waits for a subuid lock held by another program, and leaves a root without the files alone', async () => {
    await writeFile(join(s.root, 'etc/subuid.lock'), '1\0');
    const creating = s.service.createAccount({ login: 'waiter', password: null, createHome: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.service.getAccount('waiter')).toBeNull();
    await unlink(join(s.root, 'etc/subuid.lock'));
    await creating;
    expect((await ranges('subuid')).map((range) => range.owner)).toContain('waiter');
    await Promise.all(['subuid', 'subgid'].map((name) => unlink(join(s.root, 'etc', name))));
    await s.service.createAccount({ login: 'nosub', password: null, createHome: false });
    await expect(readFile(join(s.root, 'etc/subuid'))).rejects.toThrow(/ENOENT/);
  });

  it('allocates from where the last allocation stopped as it would from the start', () => {
    const space = { min: 1000, max: 60_000, count: 1000 };
    // Gaps too small, a gap that fits two ranges, overlapping ranges, then free space.
    const text = ['a:1500:1000', 'b:3000:1000', 'c:6000:500', 'd:6200:1000', 'e:9300:1000', 'f:12000:1000']
      .map((line) => `${line}\n`)
      .join('');
    const lines = parseSubordinateIds(text);
    const index = new SubordinateIndex(lines);
    const known = lines.flatMap((line) => (line.entry ? [line.entry] : []));
    let round = 0;
    for (const owners of [['n1'], ['n2', 'n3'], ['a', 'n4'], Array.from({ length: 20 }, (_, i) => `m${i}`), ['n5']]) {
      const expected = allocateRanges(
        known,
        owners.filter((owner) => !known.some((range) => range.owner === owner)),
        space.min,
        space.max,
        space.count,
      );
      const { added, commit } = index.allocate(owners, space);
      expect(added, `round ${round}`).toEqual(expected);
      commit();
      known.push(...added);
      round += 1;
    }
    // Past a full space: nothing.
    expect(index.allocate(['late'], { ...space, max: 20_000 }).added).toEqual(
      allocateRanges(known, ['late'], space.min, 20_000, space.count),
    );
  });

  it('merges new ranges into the sorted ones in the order a stable sort gives, few or many', () => {
    // A small generator with a seed: the same cases at every run.
    let seed = 18;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    const sortedRanges = (count: number, tag: string) =>
      Array.from({ length: count }, (_, i) => ({ owner: `${tag}${i}`, start: random(50), count: 1 + random(3) })).sort(
        (a, b) => a.start - b.start,
      );
    for (let round = 0; round < 300; round += 1) {
      // Equal starts on both sides, empty sides, and both sides of the 16 that switches ways.
      const sorted = sortedRanges(random(40), 's');
      const added = sortedRanges([0, 1, 5, 16, 17, 60][round % 6]!, 'a');
      const expected = [...sorted, ...added].sort((a, b) => a.start - b.start);
      expect(mergeByStart([...sorted], added), `round ${round}`).toEqual(expected);
    }
  });
});
