import { getMountRefusal } from './mount-policy.ts';
import type { FilesystemProbe } from './parse-blkid.ts';
import type { MountEntry } from './parse-mountinfo.ts';
import type { BlockDevice } from './read-block-devices.ts';
import type { Volume, VolumeAction, VolumeUsage } from './volume-schema.ts';

// What decides a volume's actions besides the volume itself.
export interface ActionContext {
  writable: { allowed: boolean; reason: string | null };
  mountAllFs: boolean;
  // Why the daemon may not act on this device here (a sandbox acts only on its own loop
  // devices), or null.
  getScopeRefusal(device: BlockDevice, disk: BlockDevice | null): string | null;
}

export interface VolumeInputs {
  devices: BlockDevice[];
  probes: Map<string, FilesystemProbe>;
  mountsByName: Map<string, MountEntry[]>;
  systemReasons: Map<string, string>;
  usage: Map<string, VolumeUsage>;
  isReserved(uuid: string | null): boolean;
  // Why the device is not responding (a tool stuck on it), or null.
  getUnresponsive(name: string): string | null;
  context: ActionContext;
}

function allow(action: VolumeAction['action'], reason: string | null): VolumeAction {
  return { action, allowed: reason === null, reason };
}

// Why mounting would mount a filesystem twice: the device it is stacked on (a loop over a
// block device) is mounted, or a filesystem with its UUID is mounted from another device (two
// loops over one image, a copy of a disk): two read-write mounts of one ext4 corrupt it.
function getStackRefusal(device: BlockDevice, volume: Volume, inputs: VolumeInputs): string | null {
  for (const under of device.slaves) {
    const mount = inputs.mountsByName.get(under)?.[0];
    if (mount) return `it is stacked on ${under}, which is mounted on ${mount.mountPoint}`;
  }
  if (!volume.uuid) return null;
  for (const [name, mounts] of inputs.mountsByName) {
    if (name !== device.name && inputs.probes.get(name)?.uuid === volume.uuid) {
      return `a filesystem with its UUID ${volume.uuid} is mounted from ${name} on ${mounts[0]!.mountPoint}`;
    }
  }
  return null;
}

// The three actions and why each is refused, the first reason that applies. A system volume
// is refused before anything else, so no setting or state ever offers one an action.
function getActions(device: BlockDevice, volume: Volume, inputs: VolumeInputs, byName: Map<string, BlockDevice>) {
  const { context, systemReasons } = inputs;
  const disk = device.disk ? (byName.get(device.disk) ?? null) : null;
  const unresponsive = inputs.getUnresponsive(device.name);
  const common =
    (systemReasons.has(device.name) ? `one of the machine's own volumes: ${systemReasons.get(device.name)}` : null) ??
    (unresponsive ? `it is not responding (${unresponsive}): nothing is done to it until that ends` : null) ??
    context.writable.reason ??
    context.getScopeRefusal(device, disk);
  const hasPartitions = inputs.devices.some((other) => other.disk === device.name);
  const mount =
    common ??
    (volume.mountPoint ? `already mounted on ${volume.mountPoint}` : null) ??
    (hasPartitions ? 'it holds partitions: each is mounted by itself' : null) ??
    (device.holders.length > 0 ? `it is used by ${device.holders.join(', ')}` : null) ??
    getStackRefusal(device, volume, inputs) ??
    getMountRefusal(volume.fsType, inputs.probes.get(device.name)?.usage ?? null, context.mountAllFs);
  const unmount = common ?? (volume.mountPoint ? null : 'it is not mounted');
  const target = disk ?? device;
  const ejectable = target.loopFile !== null || target.removable;
  const eject =
    common ??
    (systemReasons.has(target.name) ? `its disk ${target.name} is one of the machine's own` : null) ??
    (ejectable ? null : 'it is neither a removable disk nor a loop device');
  return [allow('mount', mount), allow('unmount', unmount), allow('eject', eject)];
}

// The volumes as the API shows them, sorted by name.
export function buildVolumes(inputs: VolumeInputs): Volume[] {
  const byName = new Map(inputs.devices.map((device) => [device.name, device]));
  return inputs.devices
    .map((device) => {
      const probe = inputs.probes.get(device.name);
      const mount = inputs.mountsByName.get(device.name)?.[0] ?? null;
      const fsType = probe?.fsType ?? null;
      const volume: Volume = {
        name: device.name,
        device: `/dev/${device.name}`,
        disk: device.disk,
        size: device.size,
        removable: device.removable,
        readOnly: device.readOnly,
        loopFile: device.loopFile,
        fsType,
        label: probe?.label ?? null,
        uuid: probe?.uuid ?? null,
        mountPoint: mount?.mountPoint ?? null,
        // The mount's flags then the filesystem's own, each once (both lists start with rw/ro).
        mountOptions: mount
          ? [...new Set(`${mount.mountOptions},${mount.superOptions}`.split(',').filter(Boolean))].join(',')
          : null,
        usage: inputs.usage.get(device.name) ?? null,
        state: inputs.getUnresponsive(device.name)
          ? 'not-responding'
          : mount
            ? 'mounted'
            : fsType
              ? 'unmounted'
              : 'no-filesystem',
        system: inputs.systemReasons.has(device.name),
        reserved: inputs.isReserved(probe?.uuid ?? null),
        actions: [],
      };
      volume.actions = getActions(device, volume, inputs, byName);
      return volume;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
