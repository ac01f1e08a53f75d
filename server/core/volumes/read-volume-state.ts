import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type ActionContext, buildVolumes } from './build-volumes.ts';
import { type MountEntry, parseFstab, parseMountInfo, parseSwaps } from './parse-mountinfo.ts';
import type { FilesystemProbe } from './parse-blkid.ts';
import type { ProbeCache } from './probe-filesystem.ts';
import { type BlockDevice, readBlockDevices } from './read-block-devices.ts';
import { mapLimited } from './run-tool.ts';
import { getUsage } from './read-usage.ts';
import { getSystemDevices } from './system-volumes.ts';
import type { UnresponsiveDevices } from './unresponsive-devices.ts';
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
  unresponsive: UnresponsiveDevices;
  // The deadline of each statfs.
  timeoutMs: number;
}

const readOptional = (path: string) => readFile(path, 'utf8').catch(() => '');

// The device name a /dev path leads to (/dev/mapper/root → dm-0), or null.
async function getDeviceName(path: string): Promise<string | null> {
  if (!path.startsWith('/dev/')) return null;
  const resolved = await realpath(path).catch(() => null);
  return resolved?.startsWith('/dev/') ? basename(resolved) : null;
}

// The member devices of a mounted btrfs, as the kernel lists them (/sys/fs/btrfs/<uuid>/devices).
async function getBtrfsMembers(uuid: string): Promise<string[]> {
  if (!/^[0-9a-f-]{36}$/.test(uuid)) return [];
  return readdir(`/sys/fs/btrfs/${uuid}/devices`).catch(() => []);
}

// Which mounts belong to which device: by the device number the kernel gives the mount, never
// by the source text (anyone may mount a tmpfs or a FUSE named "/dev/sdb1"). btrfs gives its
// mounts an anonymous number (0:45): a btrfs mount (a type only the kernel's btrfs sets) goes
// to the devices the kernel lists as members of the filesystem its source device holds.
async function getMountsByName(
  devices: BlockDevice[],
  mounts: MountEntry[],
  probes: Map<string, FilesystemProbe>,
): Promise<Map<string, MountEntry[]>> {
  const byDev = new Map(devices.map((device) => [device.dev, device.name]));
  const names = new Set(devices.map((device) => device.name));
  const result = new Map<string, MountEntry[]>();
  const add = (name: string, mount: MountEntry) => result.set(name, [...(result.get(name) ?? []), mount]);
  for (const mount of mounts) {
    const name = byDev.get(mount.dev);
    if (name) {
      add(name, mount);
      continue;
    }
    if (mount.fsType !== 'btrfs') continue;
    const source = await getDeviceName(mount.source);
    const uuid = source ? probes.get(source)?.uuid : null;
    if (!uuid) continue;
    const members = await getBtrfsMembers(uuid);
    if (!members.includes(source!)) continue;
    for (const member of members) if (names.has(member)) add(member, mount);
  }
  return result;
}

// A loop device over a block device node (losetup /dev/sda2, or a node made with mknod) is
// stacked on that device like a dm or md device: it is one of its holders, and inherits its
// system status; mounting both would mount one filesystem twice.
function linkLoopBackings(devices: BlockDevice[], probes: ProbeCache): BlockDevice[] {
  const byDev = new Map(devices.map((device) => [device.dev, device]));
  const linked = new Map(devices.map((device) => [device.name, { ...device }]));
  for (const device of devices) {
    const rdev = probes.getBackingFile(device)?.rdev;
    const under = rdev ? byDev.get(rdev) : undefined;
    if (!under || under.name === device.name) continue;
    linked.get(device.name)!.slaves = [...new Set([...device.slaves, under.name])];
    const target = linked.get(under.name)!;
    target.holders = [...new Set([...target.holders, device.name])];
  }
  return devices.map((device) => linked.get(device.name)!);
}

// Reads sysfs, mountinfo, swaps and etc/fstab, probes what changed, and builds the volumes.
export async function readVolumeState(options: ReadStateOptions): Promise<VolumeState> {
  const [found, mountText, swapText, fstabText] = await Promise.all([
    readBlockDevices(),
    readOptional('/proc/self/mountinfo'),
    readOptional('/proc/swaps'),
    readOptional(join(options.root, 'etc/fstab')),
  ]);
  const probes = await options.probes.probeAll(found, options.force);
  const devices = linkLoopBackings(found, options.probes);
  const mountsByName = await getMountsByName(devices, parseMountInfo(mountText), probes);
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
  await mapLimited([...mountsByName], 4, async ([name, mounts]) => {
    const { unresponsive, timeoutMs } = options;
    const found = await unresponsive.run(name, () => getUsage(mounts[0]!.mountPoint, timeoutMs)).catch(() => null);
    if (found) usage.set(name, found);
  });
  const volumes = buildVolumes({
    devices,
    probes,
    mountsByName,
    systemReasons,
    usage,
    isReserved: options.isReserved,
    getUnresponsive: (name) => options.unresponsive.getReason(name),
    context: options.context,
  });
  return { volumes, devices: new Map(devices.map((device) => [device.name, device])), mountsByName };
}
