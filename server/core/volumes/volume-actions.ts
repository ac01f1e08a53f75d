import type { AccountsService } from '../accounts/accounts-service.ts';
import { CoreError } from '../errors.ts';
import { checkReleased } from './check-released.ts';
import { endHolders } from './end-holders.ts';
import { findHolders } from './find-holders.ts';
import { getMountOptions, isEndUserFilesystem, isTrustedMount } from './mount-policy.ts';
import { createMountPoint, detachDisk, mountDevice, removeMountPoint, unmountPath } from './mount-operations.ts';
import { getMountName } from './mount-point-name.ts';
import type { VolumeState } from './read-volume-state.ts';
import type { UnresponsiveDevices } from './unresponsive-devices.ts';
import type { Volume } from './volume-schema.ts';
import type { VolumeHolder } from './volumes-api.ts';
import { type CoreMessage, listed, quoted, renderMessage, say } from '../messages.ts';

export interface VolumeActionsOptions {
  mediaDir: string;
  accounts: AccountsService;
  enduserOwner: string;
  getState(): VolumeState;
  // The devices whose tool is stuck; mount, umount and losetup run through it with a deadline.
  unresponsive: UnresponsiveDevices;
  mountTimeoutMs: number;
}

// The cause of an 'in-use' error thrown after a forced unmount detached a mount lazily: the
// mount is gone from the tree but the filesystem lives on (the audit records it as failed).
export const detachedLazily = 'detached-lazily';

// Rounds of ending holders in one forced unmount (each bounded by end-holders.ts's waits).
const maxForceRounds = 3;

// Who may be sent signals by a force: throws 'permission-denied' naming those who may not
// (the service decides it from the actor's groups now).
export type HolderCheck = (holders: VolumeHolder[]) => void;

// "pid 4242 (sleep, alice)", for messages and the audit log.
function sayHolders(holders: VolumeHolder[]): CoreMessage {
  const shown = holders
    .slice(0, 10)
    .map((holder) => say('volumes.holder', { pid: holder.pid, command: holder.command, login: holder.login }));
  return holders.length > 10
    ? say('processes.more', { named: listed(shown), count: holders.length - 10 })
    : say('processes.list', { named: listed(shown) });
}

// The same in English, for the audit log.
function describeHolders(holders: VolumeHolder[]): string {
  return renderMessage(sayHolders(holders), 'en');
}

// An 'in-use' refusal naming the holders; `details` carries them for the page.
function createBusyError(volume: Volume, mountPoint: string, holders: VolumeHolder[]): CoreError {
  return new CoreError(
    'in-use',
    say('volumes.inUse', { device: volume.device, mountPoint, holders: sayHolders(holders) }),
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
        throw new CoreError('invalid-argument', say('volumes.ownerNotAccount', { owner: quoted(enduserOwner) }), {
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
  // `explicit`: an admin asked for it (auto-mount is not); see isTrustedMount.
  async mount(volume: Volume, explicit: boolean): Promise<string> {
    const fsType = volume.fsType!;
    const owner = isEndUserFilesystem(fsType) ? this.#getEndUserOwner() : { uid: 0, gid: 0 };
    const disk = volume.disk ? this.#options.getState().devices.get(volume.disk) : null;
    const trusted = isTrustedMount(volume, disk?.loopFile ?? null, explicit);
    const options = getMountOptions(fsType, owner, trusted) + (volume.readOnly ? ',ro' : '');
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
  // anything changes. With it, `checkHolders` may refuse first; then the holders get SIGTERM,
  // SIGKILL if they ignore it, and each mount is unmounted; one still held is detached lazily
  // and reported ('in-use', cause detachedLazily): its filesystem lives until they close it.
  async unmount(
    volume: Volume,
    force: boolean,
    getLogin: (uid: number) => string,
    checkHolders: HolderCheck = () => {},
  ): Promise<string> {
    const mounts = this.#getMounts(volume.name);
    const holders = await this.#checkHolders([volume], force, getLogin);
    if (holders.length > 0) checkHolders(holders);
    const killed: VolumeHolder[] = [];
    const lazy: CoreMessage[] = [];
    let left: VolumeHolder[] = [];
    for (const mount of mounts) {
      const ids = new Set([mount.id]);
      const isKillable = (holder: VolumeHolder) => holder.pid !== 1 && holder.pid !== process.pid;
      let round: VolumeHolder[] = holders.filter((holder) => holder.dev === mount.dev && isKillable(holder));
      // A few rounds: a holder's children started after the scan (a shell's next command)
      // hold it too once their parent is gone; each new one passes the rights check too.
      for (let pass = 0; pass < maxForceRounds && round.length > 0; pass += 1) {
        if (pass > 0) checkHolders(round);
        killed.push(...(await endHolders(round, mount.dev, ids)).killed);
        const again = await findHolders(mount.dev, getLogin, ids);
        round = again.filter(isKillable);
      }
      const { unresponsive, mountTimeoutMs } = this.#options;
      const outcome = await unresponsive.run(volume.name, () => unmountPath(mount.mountPoint, false, mountTimeoutMs));
      if (!outcome.ok) {
        const late = await findHolders(mount.dev, getLogin, new Set([mount.id]));
        if (!force) {
          if (late.length > 0) throw createBusyError(volume, mount.mountPoint, late);
          if (/busy/i.test(outcome.reason)) {
            // Held by what /proc does not show (another mount namespace, a kernel user): the
            // page still offers force, with the kernel's words (red team's L1).
            const message = say('volumes.busyNoHolder', {
              device: volume.device,
              mountPoint: mount.mountPoint,
              reason: outcome.reason,
            });
            throw new CoreError('in-use', message, { field: 'name', details: [] });
          }
          throw new CoreError(
            'conflict',
            say('volumes.unmountFailed', { mountPoint: mount.mountPoint, reason: outcome.reason }),
            {
              field: 'name',
            },
          );
        }
        const detached = await unresponsive.run(volume.name, () => unmountPath(mount.mountPoint, true, mountTimeoutMs));
        if (!detached.ok) {
          const reason = detached.reason;
          throw new CoreError('conflict', say('volumes.unmountFailed', { mountPoint: mount.mountPoint, reason }), {
            field: 'name',
          });
        }
        lazy.push(
          say('volumes.lazyMount', {
            mountPoint: mount.mountPoint,
            by: late.length > 0 ? sayHolders(late) : outcome.reason,
          }),
        );
        left = [...left, ...late];
      }
      await removeMountPoint(mount.mountPoint);
    }
    const points = mounts.map((mount) => mount.mountPoint).join(', ');
    const signalled = holders.length > 0 ? `; sent SIGTERM to ${describeHolders(holders)}` : '';
    const forced = killed.length > 0 ? `, SIGKILL to ${describeHolders(killed)}` : '';
    if (lazy.length > 0) {
      const message = say('volumes.detachedLazily', {
        device: volume.device,
        mounts: listed(lazy),
        signalled: holders.length > 0 ? say('volumes.sigterm', { holders: sayHolders(holders) }) : '',
        forced: killed.length > 0 ? say('volumes.sigkill', { holders: sayHolders(killed) }) : '',
      });
      throw new CoreError('in-use', message, { field: 'name', details: left, cause: detachedLazily });
    }
    return `from ${points}${signalled}${forced}`;
  }

  // Refuses with 'in-use' when any of the volumes' mounts is held, unless `force`; the holders.
  async #checkHolders(volumes: Volume[], force: boolean, getLogin: (uid: number) => string) {
    const all: (VolumeHolder & { dev: string })[] = [];
    for (const volume of volumes) {
      for (const mount of this.#getMounts(volume.name)) {
        const holders = await findHolders(mount.dev, getLogin, new Set([mount.id]));
        if (holders.length > 0 && !force) throw createBusyError(volume, mount.mountPoint, holders);
        all.push(...holders.map((holder) => ({ ...holder, dev: mount.dev })));
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
    if (!disk) throw new CoreError('not-found', say('volumes.noDisk', { name: quoted(diskName) }), { field: 'name' });
    const members = state.volumes.filter((other) => other.name === diskName || other.disk === diskName);
    const mounted = members.filter((member) => member.mountPoint);
    await this.#checkHolders(mounted, false, getLogin);
    for (const member of mounted) await this.unmount(member, false, getLogin);
    // The mounts are gone from the tree, but a filesystem detached lazily earlier (a forced
    // unmount) or mounted in another namespace may still be alive: never pull it from under it.
    await checkReleased(
      [diskName, ...members.map((member) => member.name).filter((name) => name !== diskName)],
      diskName,
    );
    const { unresponsive, mountTimeoutMs } = this.#options;
    await unresponsive.run(diskName, () => detachDisk(diskName, disk.loopFile !== null, mountTimeoutMs));
    return disk.loopFile ? `detached /dev/${diskName} from ${disk.loopFile}` : `powered off /dev/${diskName}`;
  }
}
