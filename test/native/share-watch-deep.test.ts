import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import {
  getShareWatchFigures,
  setShareRule,
  stopShareWatch,
  type ShareWatch,
  type ShareWatchBatch,
} from '../../server/native/native.ts';
import { createTestShare, parseAcls, run, runAs, type TestShare } from '../helpers/share-acl-check.ts';
import { describeShareWatch, isWalkDone, useShareWatch } from '../helpers/share-watch.ts';
import { waitUntil, waitUntilAsync } from '../helpers/wait-until.ts';

// A tree deeper than PATH_MAX under a share (red team F3): 20 directories of 250-byte names,
// 5,000 bytes of path, made by a member with setpriv. The watcher opened a directory with one
// openat2 of its whole path (ENAMETOOLONG past 4,096 bytes), so nothing below ~4 KB was
// watched or corrected. Real files and ACLs; needs root.

const member = { uid: 61160, gid: 61061 };
const gids = { group: 61061, responsibles: 61062, guests: 61063, admins: 61060 };
const levels = 20;
const name = 'x'.repeat(250);

const sw = useShareWatch('licorn-sharedeep-');
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
  return parseAcls(stdout);
}
const isBottomRight = async () => {
  const acls = await readBottomAcls(['private', 'closed']);
  return acls.get('private') === alpha.expected.file && acls.get('closed') === alpha.expected.directory;
};

describeShareWatch('share watch, a tree deeper than PATH_MAX', () => {
  beforeAll(async () => {
    alpha = await createTestShare(1, join(sw.dir, 'shares/alpha'), gids, false, sw.dir);
    await chmod(join(sw.dir, 'shares'), 0o755);
    ({ watch } = sw.start(batches));
    setShareRule(watch, alpha.rule, { repair: true });
    await waitUntil(() => isWalkDone(batches, 1), 'the walk');
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
    ({ watch } = sw.start(batches));
    setShareRule(watch, alpha.rule, { repair: true });
    await waitUntil(() => isWalkDone(batches.slice(from), 1), 'the repair walk', 20_000);
    expect(await isBottomRight()).toBe(true);
    expect(batches.flatMap((batch) => batch.errors)).toEqual([]);
  }, 60_000);
});
