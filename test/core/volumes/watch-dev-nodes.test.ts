import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  watchBlockDevices,
  type BlockDeviceHint,
  type BlockDeviceWatch,
} from '../../../server/core/volumes/watch-block-devices.ts';
import { createBareImage, LoopDevices, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { waitUntil } from '../../helpers/wait-until.ts';

const run = promisify(execFile);

// How often this process's watcher threads went to sleep and woke (each wake-up of poll() is
// one voluntary context switch): a count of wake-ups, not a time.
function getWatcherWakeups(): number {
  let total = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    if (comm !== 'licorn-blkwatch') continue;
    const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
    total += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return total;
}

// The watcher's inotify on the dev directory: a close after writing wakes it only for a block
// device node (red team's L3: every close of /dev/null woke it), including a node made later.
describe.skipIf(shouldSkipLoopTests()).sequential('watchBlockDevices: block nodes only', () => {
  const loops = new LoopDevices();
  let dir = '';
  let devDir = '';
  let watch: BlockDeviceWatch | undefined;
  const hints: BlockDeviceHint[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'licorn-nodes-'));
    devDir = join(dir, 'dev');
    await run('mkdir', [devDir]);
    await run('mknod', [join(devDir, 'null'), 'c', '1', '3']);
    watch = await watchBlockDevices({ devDir, udev: false }, (hint) => hints.push(hint));
  });
  afterAll(async () => {
    watch?.close();
    await loops.cleanUp(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('does not wake for thousands of write-closes of a character device', async () => {
    await waitUntil(() => getWatcherWakeups() > 0, 'the watcher thread asleep in poll()');
    const before = getWatcherWakeups();
    for (let i = 0; i < 3000; i++) {
      const fd = openSync(join(devDir, 'null'), 'w');
      writeSync(fd, 'x');
      closeSync(fd);
    }
    // Other test files attach loop devices meanwhile (uevents wake the thread too): far
    // fewer wake-ups than closes is the point.
    expect(getWatcherWakeups() - before).toBeLessThan(300);
  });

  it('names a block node made after the start when it is closed after writing', async () => {
    const name = await loops.attach(await createBareImage(join(dir, 'blank.img'), 4));
    const { rdev } = await stat(`/dev/${name}`);
    const node = join(devDir, 'late0');
    await run('mknod', [node, 'b', String(Math.floor(rdev / 256) & 0xfff), String(rdev & 0xff)]);
    await waitUntil(() => hints.some((hint) => hint.name === 'late0'), 'the new node named');
    hints.length = 0;
    const fd = openSync(node, 'r+');
    writeSync(fd, Buffer.alloc(512));
    closeSync(fd);
    await waitUntil(() => hints.some((hint) => hint.name === 'late0'), 'a close after writing named');
  });
});
