import { type DeviceReadOutcome, runDeviceReads } from '../../volumes/device-reads.ts';
import type { StatfsAnswer } from '../../../native/native.ts';
import { parseMountinfo } from '../parse-proc.ts';
import type { ProcFiles, Sampler, SampleValues } from '../sampler.ts';

// How long one filesystem may take to answer statfs before it is shown as not answering.
export const statfsTimeoutMs = 5000;

// How statfs runs: the volumes' native reads (device-reads.ts), each on a thread of its own
// with a deadline, a hung one abandoned (a dead NFS server blocks statfs in the kernel for
// good: on libuv's pool, four of them would stop every file read, hash and PAM call).
export type ReadStatfs = (requests: ['statfs', string][], timeoutMs: number) => Promise<DeviceReadOutcome[]>;

// The size and use of each mounted real filesystem (bind mounts are not counted again), in
// bytes (`fs.<mount point>.size`, `.used`, `.available`; available is what unprivileged users
// can still write); `fs.<mount point>.notAnswering` 1 for one that missed its deadline, not
// read again until its abandoned read ends. One reading at a time: a second caller (the
// status API while the tick reads) shares the one under way.
export function createFilesystemSampler(
  proc: ProcFiles,
  readStatfs: ReadStatfs = runDeviceReads,
  timeoutMs = statfsTimeoutMs,
): Sampler {
  const hung = new Set<string>();
  let reading: Promise<SampleValues> | null = null;
  const read = async () => {
    const mounts = parseMountinfo(await proc.read('self/mountinfo')).map(({ mountPoint }) => mountPoint);
    const values: SampleValues = {};
    for (const mountPoint of mounts.filter((mount) => hung.has(mount))) values[`fs.${mountPoint}.notAnswering`] = 1;
    const asked = mounts.filter((mount) => !hung.has(mount));
    const outcomes = await readStatfs(
      asked.map((mountPoint) => ['statfs', mountPoint]),
      timeoutMs,
    );
    outcomes.forEach((outcome, index) => {
      const mountPoint = asked[index]!;
      if (outcome?.timeout) {
        hung.add(mountPoint);
        void outcome.timeout.exited.then(() => hung.delete(mountPoint));
        values[`fs.${mountPoint}.notAnswering`] = 1;
        return;
      }
      const stats = outcome?.answer as StatfsAnswer | null | undefined;
      if (!stats) return;
      values[`fs.${mountPoint}.size`] = stats.blocks * stats.blockSize;
      values[`fs.${mountPoint}.used`] = (stats.blocks - stats.free) * stats.blockSize;
      values[`fs.${mountPoint}.available`] = stats.available * stats.blockSize;
    });
    return values;
  };
  return {
    name: 'filesystems',
    sample() {
      reading ??= read().finally(() => {
        reading = null;
      });
      return reading;
    },
    stop() {},
  };
}
