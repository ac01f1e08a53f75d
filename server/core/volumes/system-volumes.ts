import type { FstabSource, MountEntry } from './parse-mountinfo.ts';
import type { FilesystemProbe } from './parse-blkid.ts';
import type { BlockDevice } from './read-block-devices.ts';
import { type CoreMessage, say } from '../messages.ts';

// Where the system's own partitions are mounted: what sits there is never touched.
const systemMountPoints = ['/', '/boot', '/home', '/var', '/tmp', '/usr'];

export interface SystemInputs {
  devices: BlockDevice[];
  probes: Map<string, FilesystemProbe>;
  // The mounts of each device (by name).
  mountsByName: Map<string, MountEntry[]>;
  // Device names in /proc/swaps.
  swapNames: Set<string>;
  fstab: FstabSource[];
  // Names the fstab's paths resolve to (/dev/disk/by-id/… → sda1).
  fstabNames: Set<string>;
  mediaDir: string;
}

// Why a device is one of the machine's own, or null. A mount anywhere but directly in the
// media directory (Licorn's place) counts: somebody else mounted it there on purpose.
function getOwnReason(device: BlockDevice, inputs: SystemInputs): CoreMessage | null {
  const probe = inputs.probes.get(device.name);
  for (const mount of inputs.mountsByName.get(device.name) ?? []) {
    if (systemMountPoints.includes(mount.mountPoint))
      return say('volumes.system.holds', { mountPoint: mount.mountPoint });
    const parent = mount.mountPoint.slice(0, mount.mountPoint.lastIndexOf('/'));
    if (parent !== inputs.mediaDir) return say('volumes.system.mountedElsewhere', { mountPoint: mount.mountPoint });
  }
  if (inputs.swapNames.has(device.name)) return say('volumes.system.swap');
  if (inputs.fstabNames.has(device.name)) return say('volumes.system.fstab');
  for (const source of inputs.fstab) {
    const matches =
      (source.tag === 'UUID' && source.value === probe?.uuid) ||
      (source.tag === 'LABEL' && source.value === probe?.label) ||
      (source.tag === 'PARTUUID' && source.value.toLowerCase() === probe?.partUuid?.toLowerCase()) ||
      (source.tag === 'PARTLABEL' && source.value === probe?.partLabel);
    if (matches) return say('volumes.system.fstabTag', { tag: source.tag, value: source.value });
  }
  return null;
}

// The machine's own devices with the reason for each: the ones above, the devices they are
// built on (an LVM or RAID member under /), the disk they sit on and that disk's other
// partitions (the root's disk is never ejected, nor any of its partitions mounted).
export function getSystemDevices(inputs: SystemInputs): Map<string, CoreMessage> {
  const byName = new Map(inputs.devices.map((device) => [device.name, device]));
  const partitionsOf = new Map<string, string[]>();
  for (const device of inputs.devices) {
    if (device.disk) partitionsOf.set(device.disk, [...(partitionsOf.get(device.disk) ?? []), device.name]);
  }
  const system = new Map<string, CoreMessage>();
  const pending: string[] = [];
  for (const device of inputs.devices) {
    const reason = getOwnReason(device, inputs);
    if (reason) {
      system.set(device.name, reason);
      pending.push(device.name);
    }
  }
  while (pending.length > 0) {
    const name = pending.pop()!;
    const device = byName.get(name);
    if (!device) continue;
    // Holders too: a loop over the root partition, an LVM volume beside the root one.
    const related = [
      ...device.slaves,
      ...device.holders,
      ...(device.disk ? [device.disk] : []),
      ...(partitionsOf.get(name) ?? []),
    ];
    if (device.disk) related.push(...(partitionsOf.get(device.disk) ?? []));
    for (const other of related) {
      if (system.has(other)) continue;
      system.set(other, say('volumes.system.shared', { name }));
      pending.push(other);
    }
  }
  return system;
}
