import type { AccountsService } from '../accounts/accounts-service.ts';
import { CoreError } from '../errors.ts';
import { findHolders } from './find-holders.ts';
import { getMountOptions, isEndUserFilesystem } from './mount-policy.ts';
import { createMountPoint, detachDisk, mountDevice, removeMountPoint, unmountPath } from './mount-operations.ts';
import { getMountName } from './mount-point-name.ts';
import type { VolumeState } from './read-volume-state.ts';
import type { UnresponsiveDevices } from './unresponsive-devices.ts';
import type { Volume } from './volume-schema.ts';
import type { VolumeHolder } from './volumes-api.ts';

export interface VolumeActionsOptions {
  mediaDir: string;
  accounts: AccountsService;
  enduserOwner: string;
  getState(): VolumeState;
  // The devices whose tool is stuck; mount, umount and losetup run through it with a deadline.
  unresponsive: UnresponsiveDevices;
  mountTimeoutMs: number;
}

// "pid 4242 (sleep, alice)", for messages and the audit log.
function describeHolders(holders: VolumeHolder[]): string {
  const shown = holders.slice(0, 10).map((holder) => `pid ${holder.pid} (${holder.command}, ${holder.login})`);
  return shown.join(', ') + (holders.length > 10 ? ` and ${holders.length - 10} more` : '');
}

// An 'in-use' refusal naming the holders; `details` carries them for the page.
function createBusyError(volume: Volume, mountPoint: string, holders: VolumeHolder[]): CoreError {
  return new CoreError(
    'in-use',
    `${volume.device} on ${mountPoint} is in use by ${describeHolders(holders)}: close them, or force the unmount`,
    { field: 'name', details: holders },
  );
}

// The changes to the machine behind mount, unmount and eject, once the service has checked
// that the volume's actions allow them.
export class VolumeActions {
  readonly #options: VolumeActionsOptions;

  constructor(options: VolumeActionsOptions) {
    this.#options = options;
  }

  // Who owns the files of an end-user filesystem, resolved at each mount (an account renamed
  // or removed since start is seen).
  #getEndUserOwner(): { uid: number; gid: number } {
    const { accounts, enduserOwner } = this.#options;
    if (enduserOwner) {
      const account = accounts.getAccount(enduserOwner);
      if (!account) {
        throw new CoreError('invalid-argument', `volumes.enduser_owner "${enduserOwner}" is not an account`, {
          field: 'volumes.enduser_owner',
        });
      }
      return account;
    }
    const people = accounts.listAccounts().filter((account) => !account.system);
    people.sort((a, b) => a.uid - b.uid);
    return people[0] ?? { uid: 0, gid: 0 };
  }

  // Mounts on <media>/<safe label or UUID>; removes the directory again if mount fails.
  async mount(volume: Volume): Promise<string> {
    const fsType = volume.fsType!;
    const owner = isEndUserFilesystem(fsType) ? this.#getEndUserOwner() : { uid: 0, gid: 0 };
    const options = getMountOptions(fsType, owner) + (volume.readOnly ? ',ro' : '');
    const inUse = new Set([...this.#options.getState().mountsByName.values()].flat().map((mount) => mount.mountPoint));
    const base = getMountName(volume.label, volume.uuid, volume.name);
    const mountPoint = await createMountPoint(this.#options.mediaDir, base, inUse);
    const { unresponsive, mountTimeoutMs } = this.#options;
    try {
      await unresponsive.run(volume.name, () =>
        mountDevice(volume.device, fsType, options, mountPoint, mountTimeoutMs),
      );
    } catch (error) {
      // A mount still stuck may yet succeed: its directory stays (an rmdir of it fails anyway).
      await removeMountPoint(mountPoint.path);
      throw error;
    }
    return mountPoint.path;
  }

  // Licorn's mounts of a volume (a system volume has none: it was refused before).
  #getMounts(name: string) {
    return this.#options.getState().mountsByName.get(name) ?? [];
  }

  // Unmounts every mount of the volume. Without `force`, any holder refuses it all before
  // anything changes; with it, the holders get SIGTERM and the mounts are detached lazily.
  async unmount(volume: Volume, force: boolean, getLogin: (uid: number) => string): Promise<string> {
    const mounts = this.#getMounts(volume.name);
    const holders = await this.#checkHolders([volume], force, getLogin);
    for (const holder of holders) {
      // Never init nor licornd itself: the lazy unmount below detaches the mount anyway.
      if (holder.pid === 1 || holder.pid === process.pid) continue;
      try {
        process.kill(holder.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    for (const mount of mounts) {
      const { unresponsive, mountTimeoutMs } = this.#options;
      const outcome = await unresponsive.run(volume.name, () => unmountPath(mount.mountPoint, force, mountTimeoutMs));
      if (!outcome.ok) {
        const late = await findHolders(mount.dev, getLogin);
        if (late.length > 0) throw createBusyError(volume, mount.mountPoint, late);
        throw new CoreError('conflict', `Cannot unmount ${mount.mountPoint}: ${outcome.reason}`, { field: 'name' });
      }
      await removeMountPoint(mount.mountPoint);
    }
    const points = mounts.map((mount) => mount.mountPoint).join(', ');
    return holders.length > 0 ? `from ${points}; sent SIGTERM to ${describeHolders(holders)}` : `from ${points}`;
  }

  // Refuses with 'in-use' when any of the volumes' mounts is held, unless `force`; the holders.
  async #checkHolders(volumes: Volume[], force: boolean, getLogin: (uid: number) => string) {
    const all: VolumeHolder[] = [];
    for (const volume of volumes) {
      for (const mount of this.#getMounts(volume.name)) {
        const holders = await findHolders(mount.dev, getLogin);
        if (holders.length > 0 && !force) throw createBusyError(volume, mount.mountPoint, holders);
        all.push(...holders);
      }
    }
    return all;
  }

  // Unmounts the disk's mounted partitions (refused, all or nothing, if any is busy), then
  // detaches the loop device or powers the disk off.
  async eject(volume: Volume, getLogin: (uid: number) => string): Promise<string> {
    const state = this.#options.getState();
    const diskName = volume.disk ?? volume.name;
    const disk = state.devices.get(diskName);
    if (!disk) throw new CoreError('not-found', `No disk named "${diskName}"`, { field: 'name' });
    const members = state.volumes.filter((other) => other.name === diskName || other.disk === diskName);
    const mounted = members.filter((member) => member.mountPoint);
    await this.#checkHolders(mounted, false, getLogin);
    for (const member of mounted) await this.unmount(member, false, getLogin);
    const { unresponsive, mountTimeoutMs } = this.#options;
    await unresponsive.run(diskName, () => detachDisk(diskName, disk.loopFile !== null, mountTimeoutMs));
    return disk.loopFile ? `detached /dev/${diskName} from ${disk.loopFile}` : `powered off /dev/${diskName}`;
  }
}
