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

// The state letter (D: asleep in the kernel, unkillable) of each child of this process running
// `argv` (other test files may probe the same device at the same time).
function getProcessStates(argv: string[]): string[] {
  const wanted = `${argv.join('\0')}\0`;
  const states: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') !== wanted) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(parent) === process.pid) states.push(state!);
    } catch {
      // gone meanwhile
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
    // Refused at once: no second blkid is left stuck behind the first (at most the first, if
    // its SIGKILL could not end it: asleep in D state).
    await expect(core.volumes.mount(hung, actor)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(new RegExp(`^Cannot mount ${hung}: it is not responding`)),
    });
    expect(getProcessStates(['blkid', '-p', '-o', 'udev', `/dev/${hung}`]).length).toBeLessThanOrEqual(1);

    // The queue moves: another volume is acted on, and read again, while the device hangs; the
    // device is left alone meanwhile (not probed at each reading, one deadline after another).
    expect(await core.volumes.setReserved(fine, true, actor)).toMatchObject({ name: fine, reserved: true });
    await core.volumes.refresh();
    expect(core.volumes.get(fine)).toMatchObject({ state: 'unmounted', label: 'Fine' });
    expect(core.volumes.get(hung)).toMatchObject({ state: 'not-responding' });

    // When the device answers again (here: its server ends, the kernel fails the stuck read),
    // the stuck blkid ends and the device is read again.
    await fuse.stop();
    await waitUntil(() => core.volumes.get(hung)?.state !== 'not-responding', 'the device read again', 20_000);
    expect(getProcessStates(['blkid', '-p', '-o', 'udev', `/dev/${hung}`])).toEqual([]);
  });
});
