import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HangingFuse, startHangingFuse } from '../../helpers/hanging-fuse.ts';
import { createImage, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { createVolumesFixture, type VolumesFixture } from './volumes-fixture.ts';

const run = promisify(execFile);
const actor = { login: 'admin', address: '127.0.0.1' };
const deadlines = { probeMs: 1500, mountMs: 3000, retryMs: 2000 };

// The states (D: asleep in the kernel) of this process's threads left on a device read
// (device_reads.c names them licorn-devread; each test file runs in a process of its own).
function getReadThreadStates(): string[] {
  const states: string[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      if (readFileSync(`/proc/${process.pid}/task/${task}/comm`, 'utf8').trim() !== 'licorn-devread') continue;
      const stat = readFileSync(`/proc/${process.pid}/task/${task}/stat`, 'utf8');
      states.push(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
    } catch {
      // ended meanwhile
    }
  }
  return states;
}

// A device that stops answering (a loop over a file on a FUSE mount whose server no longer
// answers reads: blkid sleeps in D state on it, as on a dying disk or a hung NFS server).
describe.skipIf(shouldSkipLoopTests()).sequential('a device that does not respond', () => {
  let fixture: VolumesFixture;
  let fuse: HangingFuse | null = null;

  beforeAll(async () => {
    fixture = await createVolumesFixture();
  });
  afterAll(async () => {
    // The server first: its end aborts the connection, so the stuck processes end.
    await fuse?.stop();
    await fixture?.cleanUp();
  });

  it('never holds the start nor other volumes; shown not responding, actions refused, read when back', async () => {
    const image = await createImage(join(fixture.images, 'hung.img'), 'ext4', ['-L', 'Hung']);
    const fine = await fixture.loops.attach(
      await createImage(join(fixture.images, 'fine.img'), 'ext4', ['-L', 'Fine']),
    );
    fuse = await startHangingFuse(image, join(fixture.sandbox.root, 'fusemnt'));
    const hung = await fixture.loops.attach(fuse.file);
    await fuse.hang();
    // Nothing of the device is left in the page cache: the next read of it goes to the server.
    await run('blockdev', ['--flushbufs', `/dev/${hung}`]);

    // A daemon starting now starts: it does not wait on the first reading of the devices.
    const core = await fixture.openCore({}, { deadlines, waitForReading: false });
    await core.volumes.whenRead();
    const volume = core.volumes.get(hung)!;
    expect(volume).toMatchObject({ state: 'not-responding', loopFile: fuse.file });
    for (const action of volume.actions) {
      expect(action).toMatchObject({ allowed: false });
      expect(action.reason).toMatch(/^it is not responding \(blkid did not answer in 1\.5 s\)/);
    }
    // Refused at once: no second probe is left stuck behind the first (one thread, asleep on
    // the device in D state, abandoned at its deadline).
    await expect(core.volumes.mount(hung, actor)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(new RegExp(`^Cannot mount ${hung}: it is not responding`)),
    });
    expect(getReadThreadStates()).toHaveLength(1);

    // The queue moves: another volume is acted on, and read again, while the device hangs; the
    // device is left alone meanwhile (not probed at each reading, one deadline after another).
    expect(await core.volumes.setReserved(fine, true, actor)).toMatchObject({ name: fine, reserved: true });
    await core.volumes.refresh();
    expect(core.volumes.get(fine)).toMatchObject({ state: 'unmounted', label: 'Fine' });
    expect(core.volumes.get(hung)).toMatchObject({ state: 'not-responding' });

    // When the device answers again (here: its server ends, the kernel fails the stuck read),
    // the stuck thread ends and the device is read again.
    await fuse.stop();
    await waitUntil(() => core.volumes.get(hung)?.state !== 'not-responding', 'the device read again', 20_000);
    expect(getReadThreadStates()).toEqual([]);
  });
});
