import { getMountRefusal } from './mount-policy.ts';
import type { FilesystemProbe } from './parse-blkid.ts';
import type { MountEntry } from './parse-mountinfo.ts';
import type { BlockDevice } from './read-block-devices.ts';
import type { Volume, VolumeAction, VolumeUsage } from './volume-schema.ts';
import { type CoreMessage, listed, renderMessage, say } from '../messages.ts';

// What decides a volume's actions besides the volume itself.
export interface ActionContext {
  writable: VolumesWritable;
  mountAllFs: boolean;
  // Why the daemon may not act on this device here (a sandbox acts only on its own loop
  // devices), or null.
  getScopeRefusal(device: BlockDevice, disk: BlockDevice | null): CoreMessage | null;
}

export interface VolumeInputs {
  devices: BlockDevice[];
  probes: Map<string, FilesystemProbe>;
  mountsByName: Map<string, MountEntry[]>;
  systemReasons: Map<string, CoreMessage>;
  usage: Map<string, VolumeUsage>;
  isReserved(uuid: string | null): boolean;
  // Why the device is not responding (a tool stuck on it), or null.
  getUnresponsive(name: string): string | null;
  context: ActionContext;
}

// Whether this daemon may change volumes at all, and why not (in English and as a message).
export interface VolumesWritable {
  allowed: boolean;
  reason: string | null;
  reasonMessage: CoreMessage | null;
}

// An action, allowed when nothing refuses it; the refusal in English and as a message.
function allow(action: VolumeAction['action'], reason: CoreMessage | null): VolumeAction {
  return { action, allowed: reason === null, reason: reason && renderMessage(reason, 'en'), reasonMessage: reason };
}

// Why mounting would mount a filesystem twice: the device it is stacked on (a loop over a
// block device) is mounted, or a filesystem with its UUID is mounted from another device (two
// loops over one image, a copy of a disk): two read-write mounts of one ext4 corrupt it.
function getStackRefusal(device: BlockDevice, volume: Volume, inputs: VolumeInputs): CoreMessage | null {
  for (const under of device.slaves) {
    const mount = inputs.mountsByName.get(under)?.[0];
    if (mount) return say('volumes.reason.stacked', { under, mountPoint: mount.mountPoint });
  }
  if (!volume.uuid) return null;
  for (const [name, mounts] of inputs.mountsByName) {
    if (name !== device.name && inputs.probes.get(name)?.uuid === volume.uuid) {
      return say('volumes.reason.sameUuid', { uuid: volume.uuid, name, mountPoint: mounts[0]!.mountPoint });
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
  const system = systemReasons.get(device.name);
  const common =
    (system ? say('volumes.reason.system', { reason: system }) : null) ??
    (unresponsive ? say('volumes.reason.notResponding', { reason: unresponsive }) : null) ??
    context.writable.reasonMessage ??
    context.getScopeRefusal(device, disk);
  const hasPartitions = inputs.devices.some((other) => other.disk === device.name);
  const mount =
    common ??
    (volume.mountPoint ? say('volumes.reason.mounted', { mountPoint: volume.mountPoint }) : null) ??
    (hasPartitions ? say('volumes.reason.hasPartitions') : null) ??
    (device.holders.length > 0 ? say('volumes.reason.usedBy', { holders: listed(device.holders) }) : null) ??
    getStackRefusal(device, volume, inputs) ??
    getMountRefusal(volume.fsType, inputs.probes.get(device.name)?.usage ?? null, context.mountAllFs);
  const unmount = common ?? (volume.mountPoint ? null : say('volumes.reason.notMounted'));
  const target = disk ?? device;
  const ejectable = target.loopFile !== null || target.removable;
  const eject =
    common ??
    (systemReasons.has(target.name) ? say('volumes.reason.systemDisk', { disk: target.name }) : null) ??
    (ejectable ? null : say('volumes.reason.notEjectable'));
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
