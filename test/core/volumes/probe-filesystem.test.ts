import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeAnswer } from '../../../server/native/native.ts';
import { runDeviceReads } from '../../../server/core/volumes/device-reads.ts';
import { parseProbeAnswer } from '../../../server/core/volumes/parse-blkid.ts';
import { ToolTimeoutError } from '../../../server/core/volumes/run-tool.ts';
import { parseBlkidUdev } from '../../helpers/blkid-output.ts';
import { type HangingFuse, startHangingFuse } from '../../helpers/hanging-fuse.ts';
import {
  createBareImage,
  createImage,
  LoopDevices,
  patchImage,
  shouldSkipLoopTests,
} from '../../helpers/loop-devices.ts';

const run = promisify(execFile);

// `blkid -p` of a device: its exit code and output (2: nothing recognised).
async function runBlkid(name: string, format: 'udev' | 'export'): Promise<{ code: number; stdout: string }> {
  return run('blkid', ['-p', '-o', format, `/dev/${name}`]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

// The threads of this process left on a device read (device_reads.c names them).
function countReadThreads(): Promise<number> {
  return run('sh', ['-c', `cat /proc/${process.pid}/task/*/comm`]).then(
    ({ stdout }) => stdout.split('\n').filter((name) => name === 'licorn-devread').length,
  );
}

// libblkid in-process (device_reads.c), against the blkid tool on the same real devices.
describe.skipIf(shouldSkipLoopTests()).sequential('probing filesystems with libblkid in-process', () => {
  const loops = new LoopDevices();
  let dir: string;
  let fuse: HangingFuse | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'licorn-probe-'));
  });
  afterAll(async () => {
    // The server first: its end fails the stuck reads, so the abandoned thread ends.
    await fuse?.stop();
    await loops.cleanUp(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('answers as `blkid -p`: a labelled ext4, a device with no filesystem, a label of odd bytes', async () => {
    const uuid = '6a1f0c2e-9b1d-4c3e-8f4a-2d5e6f708192';
    const labelled = await loops.attach(
      await createImage(join(dir, 'labelled.img'), 'ext4', ['-L', 'Archives 2026', '-U', uuid]),
    );
    const blank = await loops.attach(await createBareImage(join(dir, 'blank.img'), 4));
    const odd = join(dir, 'odd.img');
    await createImage(odd, 'ext4', ['-O', '^metadata_csum', '-L', 'placeholder']);
    // s_volume_name (16 bytes at 0x78 of the superblock, at 1024): invalid UTF-8, a newline, a
    // backslash escape written out, quotes and a dollar: what broke or could mislead a line format.
    const oddBytes = Buffer.from([0xff, 0x0a, ...Buffer.from('\\x41 "$\'/'), 0xc3, 0xa9, 0]);
    await patchImage(odd, 1024 + 0x78, oddBytes);
    const oddName = await loops.attach(odd);
    const names = [labelled, blank, oddName];

    const outcomes = await runDeviceReads(
      names.map((name) => ['probe', `/dev/${name}`]),
      8000,
    );
    const probes = outcomes.map((outcome) => parseProbeAnswer(outcome.answer as ProbeAnswer | null));
    for (const [index, name] of names.entries()) {
      expect(probes[index]).toEqual(parseBlkidUdev((await runBlkid(name, 'udev')).stdout));
    }
    expect(probes[0]).toMatchObject({ fsType: 'ext4', usage: 'filesystem', label: 'Archives 2026', uuid });
    expect(outcomes[1]).toEqual({ answer: null });
    expect((await runBlkid(blank, 'udev')).code).toBe(2);
    expect(probes[2]!.label).toBe('\ufffd\n\\x41 "$\'/é');

    // The export format too (it escapes a space with a backslash): the same type, label, UUID.
    const exported = Object.fromEntries(
      (await runBlkid(labelled, 'export')).stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const answer = outcomes[0]!.answer as ProbeAnswer;
    expect(exported).toMatchObject({
      TYPE: answer.TYPE!.toString(),
      USAGE: answer.USAGE!.toString(),
      UUID: answer.UUID!.toString(),
    });
    expect(exported.LABEL).toBe('Archives\\ 2026');
    expect(answer.LABEL!.toString()).toBe('Archives 2026');
  });

  it('gives up on a hung device at its deadline, answers the others, and the thread ends when it does', async () => {
    const image = await createImage(join(dir, 'hung.img'), 'ext4', ['-L', 'Hung']);
    const before = await loops.attach(await createImage(join(dir, 'before.img'), 'ext4', ['-L', 'Before']));
    const after = await loops.attach(await createImage(join(dir, 'after.img'), 'ext4', ['-L', 'After']));
    fuse = await startHangingFuse(image, join(dir, 'fusemnt'));
    const hung = await loops.attach(fuse.file);
    await fuse.hang();
    // Nothing of it is left in the page cache: the next read goes to the server, and hangs.
    await run('blockdev', ['--flushbufs', `/dev/${hung}`]);
    const threadsBefore = await countReadThreads();

    // One thread for the three: the one after the hung device is read on a new thread.
    const outcomes = await runDeviceReads(
      [before, hung, after].map((name) => ['probe', `/dev/${name}`]),
      1000,
      1,
    );
    expect(parseProbeAnswer(outcomes[0]!.answer as ProbeAnswer).label).toBe('Before');
    expect(parseProbeAnswer(outcomes[2]!.answer as ProbeAnswer).label).toBe('After');
    const timeout = outcomes[1]!.timeout!;
    expect(timeout).toBeInstanceOf(ToolTimeoutError);
    expect(timeout.message).toBe('blkid did not answer in 1 s');
    // The abandoned thread is still asleep on the device; it alone.
    expect(await countReadThreads()).toBe(threadsBefore + 1);

    // The device answers again (its server ends: the kernel fails the stuck read): the thread
    // comes back, says so, and ends.
    await fuse.stop();
    await timeout.exited;
    await expect.poll(countReadThreads, { timeout: 10_000 }).toBe(threadsBefore);
  });
});
