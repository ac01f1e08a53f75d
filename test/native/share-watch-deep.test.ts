import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getShareWatchFigures,
  setShareRule,
  startShareWatch,
  stopShareWatch,
  type ShareWatch,
  type ShareWatchBatch,
} from '../../server/native/native.ts';
import { createTestShare, run, runAs, type TestShare } from '../helpers/share-acl-check.ts';
import { waitUntil, waitUntilAsync } from '../helpers/wait-until.ts';

// A tree deeper than PATH_MAX under a share (red team F3): 20 directories of 250-byte names,
// 5,000 bytes of path, made by a member with setpriv. The watcher opened a directory with one
// openat2 of its whole path (ENAMETOOLONG past 4,096 bytes), so nothing below ~4 KB was
// watched or corrected. Real files and ACLs; needs root.
const skipReason = process.getuid?.() !== 0 ? 'needs root to act as other accounts' : null;
if (skipReason && process.env.CI !== 'true') console.log(`share watch depth tests skipped: ${skipReason}`);

const member = { uid: 61160, gid: 61061 };
const gids = { group: 61061, responsibles: 61062, guests: 61063, admins: 61060 };
const levels = 20;
const name = 'x'.repeat(250);

let dir: string;
let alpha: TestShare;
let watch: ShareWatch;
const batches: ShareWatchBatch[] = [];

// A Python script that goes down the deep tree one level at a time (making it when `make`;
// no path given to a syscall is longer than PATH_MAX), then runs `then`.
const goDown = (make: boolean, then: string) =>
  [
    'import os, subprocess',
    `os.chdir('${alpha.rule.path}')`,
    `for i in range(${levels}):`,
    `  ${make ? `os.mkdir('${name}'); ` : ''}os.chdir('${name}')`,
    then,
  ].join('\n');
// What getfacl says of `entries` at the bottom of the deep tree, by entry.
async function readBottomAcls(entries: string[]): Promise<Map<string, string>> {
  const command = ['getfacl', '--numeric', '--physical', '--', ...entries].map((word) => `'${word}'`).join(', ');
  const getfacl = `print(subprocess.run([${command}], capture_output=True, text=True, check=True).stdout)`;
  const { stdout } = await run('python3', ['-c', goDown(false, getfacl)]);
  const acls = new Map<string, string>();
  for (const block of stdout.split('\n\n')) {
    const lines = block.split('\n').filter(Boolean);
    const file = lines.find((line) => line.startsWith('# file: '))?.slice(8);
    if (!file) continue;
    const flags = lines.find((line) => line.startsWith('# flags: '))?.slice(9) ?? '---';
    acls.set(file, [`flags ${flags}`, ...lines.filter((line) => !line.startsWith('#'))].join('\n'));
  }
  return acls;
}
const isBottomRight = async () => {
  const acls = await readBottomAcls(['private', 'closed']);
  return acls.get('private') === alpha.expected.file && acls.get('closed') === alpha.expected.directory;
};

describe.skipIf(skipReason !== null)('share watch, a tree deeper than PATH_MAX', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'licorn-sharedeep-'));
    await chmod(dir, 0o755);
    alpha = await createTestShare(1, join(dir, 'shares/alpha'), gids, false, dir);
    await chmod(join(dir, 'shares'), 0o755);
    watch = startShareWatch((batch) => batches.push(batch));
    setShareRule(watch, alpha.rule, { repair: true });
    await waitUntil(
      () => batches.some((batch) => batch.progress.some((item) => item.id === 1 && item.done)),
      'the walk',
    );
  });
  afterAll(async () => {
    if (watch) stopShareWatch(watch);
    if (dir) await run('rm', ['-rf', dir]);
  });

  it('watches and corrects every level, created by events and found by a repair walk', async () => {
    const make = goDown(true, "os.umask(0o077); open('private', 'w').write('secret'); os.mkdir('closed')");
    await runAs(member, `python3 -c "${make}"`);
    await waitUntilAsync(isBottomRight, 'the rule at the bottom of the tree', 20_000);
    expect(getShareWatchFigures(watch).watches).toBe(1 + levels + 1);
    // An event at the bottom.
    await runAs(member, `python3 -c "${goDown(false, "os.chmod('private', 0o600)")}"`);
    await waitUntilAsync(isBottomRight, 'the rule after a chmod at the bottom', 20_000);
    // Changed while no watcher ran: a repair walk from the top goes as deep.
    stopShareWatch(watch);
    await runAs(member, `python3 -c "${goDown(false, "os.chmod('private', 0o600); os.chmod('closed', 0o700)")}"`);
    expect(await isBottomRight()).toBe(false);
    const from = batches.length;
    watch = startShareWatch((batch) => batches.push(batch));
    setShareRule(watch, alpha.rule, { repair: true });
    const isDone = () => batches.slice(from).some((batch) => batch.progress.some((item) => item.id === 1 && item.done));
    await waitUntil(isDone, 'the repair walk', 20_000);
    expect(await isBottomRight()).toBe(true);
    expect(batches.flatMap((batch) => batch.errors)).toEqual([]);
  }, 60_000);
});
