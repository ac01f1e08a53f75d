import { appendFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// Leftover of the twelfth session: a writer that takes no lock appending right after our
// write(2) (its bytes beside ours) made passwd … gshadow read again at the next change, but
// not subuid and subgid: their cache took the file's new tag as its own, the writer's range
// unknown to it. The next create then gave that range again, or (the size not the one it
// knew) rewrote the file from the cache, the writer's line dropped. Here the writer appends
// a range, the one the next create would take, the moment our write(2) to the file returns.
const beside = { path: '', owner: '' };
vi.mock('node:fs', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, ...rest: unknown[]) => {
    const written = (original.writeSync as (...args: unknown[]) => number)(fd, ...rest);
    const path = beside.path;
    if (path && readlinkSync(`/proc/self/fd/${fd}`) === path) {
      beside.path = '';
      const ranges = parseRanges(original.readFileSync(path, 'utf8'));
      const end = Math.max(...ranges.map((range) => range.start + range.count));
      appendFileSync(path, `${beside.owner}:${end}:${ranges.at(-1)!.count}\n`);
    }
    return written;
  }) as typeof original.writeSync;
  return { ...original, writeSync };
});

type Range = { owner: string; start: number; count: number };
function parseRanges(text: string): Range[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [owner, start, count] = line.split(':');
      return { owner: owner!, start: Number(start), count: Number(count) };
    });
}

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
  // A first create: the journal exists and the caches are as the files are.
  await s.service.createAccount({ login: 'warm', password: null, createHome: false });
});
afterAll(() => s.remove());

const ranges = async (name: string) => parseRanges(await readFile(join(s.root, 'etc', name), 'utf8'));
const create = (login: string) => s.service.createAccount({ login, password: null, createHome: false });

// Every line whole (three fields) and no two ranges sharing an id.
function expectDisjoint(list: readonly Range[]): void {
  const sorted = [...list].sort((a, b) => a.start - b.start);
  for (const [index, range] of sorted.entries()) {
    expect(Number.isInteger(range.start) && Number.isInteger(range.count)).toBe(true);
    const next = sorted[index + 1];
    if (next) expect(range.start + range.count, `${range.owner} and ${next.owner}`).toBeLessThanOrEqual(next.start);
  }
}

describe.each(['subuid', 'subgid'])('%s appended to by a writer without lock beside our append', (name) => {
  it('is read again: its range is kept and never given again, and useradd after us agrees', async () => {
    const owner = `beside-${name}`;
    beside.path = join(s.root, 'etc', name);
    beside.owner = owner;
    await create(`first-${name}`);
    expect(beside.path).toBe('');
    await create(`next-${name}`);
    const after = await ranges(name);
    expect(after.map((range) => range.owner)).toEqual(expect.arrayContaining([owner, `next-${name}`]));
    expectDisjoint(after);
    // shadow-utils as the next peer: useradd allocates from the file, then licornd again.
    await run('useradd', ['--prefix', s.root, '-M', `peer-${name}`]);
    await s.waitForEvent(
      (event) => event.name === 'account-added' && (event.data as { login: string }).login === `peer-${name}`,
      `peer-${name}`,
    );
    await create(`last-${name}`);
    const last = await ranges(name);
    expect(last.map((range) => range.owner)).toEqual(
      expect.arrayContaining([owner, `next-${name}`, `peer-${name}`, `last-${name}`]),
    );
    expectDisjoint(last);
  });
});
