import type { StatfsAnswer } from '../../native/native.ts';
import { runDeviceReads } from './device-reads.ts';
import { mapLimited } from './run-tool.ts';
import type { UnresponsiveDevices } from './unresponsive-devices.ts';
import type { Volume, VolumeUsage } from './volume-schema.ts';

// Space on a mounted filesystem, from statfs(2) on a native thread with a deadline (a statfs on
// a FUSE or NFS mount that stopped answering never returns: on one of libuv's four threads it
// would hold it for good; device-reads.ts abandons its own); null when it fails (a mount that
// just went away). A missed deadline throws (ToolTimeoutError).
export async function getUsage(mountPoint: string, timeoutMs: number): Promise<VolumeUsage | null> {
  const [outcome] = await runDeviceReads([['statfs', mountPoint]], timeoutMs);
  if (outcome!.timeout) throw outcome!.timeout;
  const answer = outcome!.answer as StatfsAnswer | null;
  if (!answer) return null;
  const { blocks, free, available, blockSize } = answer;
  if ([blocks, free, available, blockSize].some((value) => !Number.isSafeInteger(value))) return null;
  return { total: blocks * blockSize, used: (blocks - free) * blockSize, available: available * blockSize };
}

// The volumes with their mounts' usage read again (the same object when it did not change);
// `stuck`: a statfs missed its deadline (the row says so at the next reading).
export async function readUsage(
  before: Volume[],
  unresponsive: UnresponsiveDevices,
  timeoutMs: number,
): Promise<{ volumes: Volume[]; stuck: boolean }> {
  let stuck = false;
  const volumes = await mapLimited(before, 4, async (volume) => {
    if (!volume.mountPoint || volume.state === 'not-responding') return volume;
    const usage = await unresponsive
      .run(volume.name, () => getUsage(volume.mountPoint!, timeoutMs))
      .catch(() => {
        stuck ||= unresponsive.getReason(volume.name) !== null;
        return null;
      });
    return usage && JSON.stringify(usage) !== JSON.stringify(volume.usage) ? { ...volume, usage } : volume;
  });
  return { volumes, stuck };
}
