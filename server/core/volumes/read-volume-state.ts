import { readFile, realpath, statfs } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type ActionContext, buildVolumes } from './build-volumes.ts';
import { type MountEntry, parseFstab, parseMountInfo, parseSwaps } from './parse-mountinfo.ts';
import type { ProbeCache } from './probe-filesystem.ts';
import { type BlockDevice, readBlockDevices } from './read-block-devices.ts';
import { getSystemDevices } from './system-volumes.ts';
import type { Volume, VolumeUsage } from './volume-schema.ts';

// Everything one reading of the machine found: the volumes and what the actions need.
export interface VolumeState {
  volumes: Volume[];
  devices: Map<string, BlockDevice>;
  mountsByName: Map<string, MountEntry[]>;
}

export interface ReadStateOptions {
  root: string;
  mediaDir: string;
  probes: ProbeCache;
  // Devices to probe again even if nothing visible changed (a filesystem made in place).
  force: ReadonlySet<string>;
  isReserved(uuid: string | null): boolean;
  context: ActionContext;
}

const readOptional = (path: string) => readFile(path, 'utf8').catch(() => '');

// The device name a /dev path leads to (/dev/mapper/root → dm-0), or null.
async function getDeviceName(path: string): Promise<string | null> {
  if (!path.startsWith('/dev/')) return null;
  const resolved = await realpath(path).catch(() => null);
  return resolved?.startsWith('/dev/') ? basename(resolved) : null;
}

// Space on a mounted filesystem; null when statfs fails (a mount that just went away).
export async function getUsage(mountPoint: string): Promise<VolumeUsage | null> {
  const info = await statfs(mountPoint).catch(() => null);
  if (!info) return null;
  const total = info.blocks * info.bsize;
  return { total, used: (info.blocks - info.bfree) * info.bsize, available: info.bavail * info.bsize };
}

// Which mounts belong to which device: by device number, or by the source path for
// filesystems that report an anonymous number (btrfs says 0:45 while mounted from loop3).
async function getMountsByName(devices: BlockDevice[], mounts: MountEntry[]): Promise<Map<string, MountEntry[]>> {
  const byDev = new Map(devices.map((device) => [device.dev, device.name]));
  const sourceNames = new Map<string, string | null>();
  const result = new Map<string, MountEntry[]>();
  for (const mount of mounts) {
    let name = byDev.get(mount.dev) ?? null;
    if (!name && mount.source.startsWith('/dev/')) {
      if (!sourceNames.has(mount.source)) sourceNames.set(mount.source, await getDeviceName(mount.source));
      name = sourceNames.get(mount.source) ?? null;
    }
    if (name) result.set(name, [...(result.get(name) ?? []), mount]);
  }
  return result;
}

// Reads sysfs, mountinfo, swaps and etc/fstab, probes what changed, and builds the volumes.
export async function readVolumeState(options: ReadStateOptions): Promise<VolumeState> {
  const [devices, mountText, swapText, fstabText] = await Promise.all([
    readBlockDevices(),
    readOptional('/proc/self/mountinfo'),
    readOptional('/proc/swaps'),
    readOptional(join(options.root, 'etc/fstab')),
  ]);
  const probes = await options.probes.probeAll(devices, options.force);
  const mountsByName = await getMountsByName(devices, parseMountInfo(mountText));
  const swapNames = new Set(
    (await Promise.all(parseSwaps(swapText).map(getDeviceName))).filter((name): name is string => name !== null),
  );
  const fstab = parseFstab(fstabText);
  const fstabNames = new Set(
    (
      await Promise.all(fstab.filter((entry) => entry.tag === 'path').map((entry) => getDeviceName(entry.value)))
    ).filter((name): name is string => name !== null),
  );
  const systemReasons = getSystemDevices({
    devices,
    probes,
    mountsByName,
    swapNames,
    fstab,
    fstabNames,
    mediaDir: options.mediaDir,
  });
  const usage = new Map<string, VolumeUsage>();
  await Promise.all(
    [...mountsByName].map(async ([name, mounts]) => {
      const found = await getUsage(mounts[0]!.mountPoint);
      if (found) usage.set(name, found);
    }),
  );
  const volumes = buildVolumes({
    devices,
    probes,
    mountsByName,
    systemReasons,
    usage,
    isReserved: options.isReserved,
    context: options.context,
  });
  return { volumes, devices: new Map(devices.map((device) => [device.name, device])), mountsByName };
}
