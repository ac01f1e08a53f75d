import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountsService } from '../accounts/accounts-service.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { CoreError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { ActionContext, VolumesWritable } from './build-volumes.ts';
import { diffVolumes } from './diff-volumes.ts';
import { checkMayEnd } from './check-may-end.ts';
import { findHolders } from './find-holders.ts';
import { ProbeCache } from './probe-filesystem.ts';
import { readUsage } from './read-usage.ts';
import { readVolumeState, type VolumeState } from './read-volume-state.ts';
import { ReservedStore } from './reserved-store.ts';
import { VolumeActions } from './volume-actions.ts';
import { VolumeEvents } from './volume-events.ts';
import { VolumeQueue } from './volume-queue.ts';
import { checkAction, getVolumeOrFail, isRefusedFor } from './volume-refusal.ts';
import type { Volume } from './volume-schema.ts';
import { type Deadlines, defaultDeadlines, UnresponsiveDevices } from './unresponsive-devices.ts';
import type { VolumeActor, VolumeHolder, VolumesApi } from './volumes-api.ts';
import { type BlockDeviceHint, type BlockDeviceWatch, watchBlockDevices } from './watch-block-devices.ts';
import { type CoreMessageKey, renderMessage, say } from '../messages.ts';

// The volumes settings (config keys volumes.*).
export interface VolumesSettings {
  autoMount: boolean;
  mountAllFs: boolean;
  // Login owning end-user filesystems; empty: the first non-system account, else root.
  enduserOwner: string;
  // Where the reserved markers are kept.
  stateFile: string;
}

export interface VolumesOptions extends VolumesSettings {
  root: string;
  isRealMachine: boolean;
  events: EventBus;
  audit: AuditLog;
  accounts: AccountsService;
  // How long blkid, statfs and mount may take on one device (tests shorten them).
  deadlines?: Partial<Deadlines>;
  // The groups whose members are Licorn's administrators (auth.admin_groups).
  adminGroups: readonly string[];
}

// The daemon itself, in the audit log, for what it does on its own (auto-mount).
const daemonActor: VolumeActor = { login: '-', address: '-' };

// A device outside the sandbox is never reserved either (by its reason's key: volume-refusal.ts).
const outsideSandbox: ReadonlySet<CoreMessageKey> = new Set(['volumes.reason.outsideSandbox']);

// The volumes service: discovery, Licorn's mount policy, actions, reserved markers, events.
// Every reading and every action runs in one queue (volume-queue.ts), so an action acts on the
// state it just read and its event follows the durable change (the mount table, the state file).
export class VolumesService implements VolumesApi {
  readonly writable: VolumesWritable;
  readonly #options: VolumesOptions;
  readonly #root: string;
  readonly #mediaDir: string;
  readonly #deadlines: Deadlines;
  readonly #unresponsive: UnresponsiveDevices;
  readonly #probes: ProbeCache;
  #firstReading: Promise<void> = Promise.resolve();
  readonly #reserved: ReservedStore;
  readonly #actions: VolumeActions;
  #state: VolumeState = { volumes: [], devices: new Map(), mountsByName: new Map() };
  readonly #queue: VolumeQueue;
  readonly #events: VolumeEvents;
  #watch: BlockDeviceWatch | null = null;

  private constructor(options: VolumesOptions, root: string) {
    this.#options = options;
    this.#root = root;
    this.#mediaDir = join(root, 'media');
    this.#reserved = new ReservedStore(options.stateFile);
    this.#deadlines = { ...defaultDeadlines, ...options.deadlines };
    // A device whose stuck tool ended is read again (its probe, its mount's usage).
    this.#unresponsive = new UnresponsiveDevices((name) => {
      this.refresh({ name }).catch(() => {});
    }, this.#deadlines.retryMs);
    this.#probes = new ProbeCache(this.#unresponsive, this.#deadlines.probeMs);
    this.#queue = new VolumeQueue(options.audit);
    this.#events = new VolumeEvents(options.events, (name) => this.get(name) !== null);
    const isRoot = process.getuid?.() === 0;
    const notRoot = say('volumes.reason.notRoot');
    this.writable = isRoot
      ? { allowed: true, reason: null, reasonMessage: null }
      : { allowed: false, reason: renderMessage(notRoot, 'en'), reasonMessage: notRoot };
    this.#actions = new VolumeActions({
      mediaDir: this.#mediaDir,
      accounts: options.accounts,
      enduserOwner: options.enduserOwner,
      getState: () => this.#state,
      unresponsive: this.#unresponsive,
      mountTimeoutMs: this.#deadlines.mountMs,
    });
  }

  // Reads the reserved markers and starts watching; the first reading of the machine's
  // volumes (then auto-mount, if configured) goes on after it returns: the daemon never waits
  // on a device to start. The volumes come when read (volume-added events).
  static async open(options: VolumesOptions): Promise<VolumesService> {
    const service = new VolumesService(options, await realpath(options.root));
    await service.#reserved.load();
    // Watching starts before the first reading: what changes during it is read again after.
    service.#watch = await watchBlockDevices({}, (hint) => service.#handleHint(hint));
    service.#firstReading = service.#queue.enqueue(() => service.#reload(new Set(), true));
    service.#firstReading.catch((error: Error) => {
      process.emitWarning(`volumes: reading the machine failed: ${error.message}`);
    });
    return service;
  }

  whenRead(): Promise<void> {
    return this.#firstReading;
  }

  list(): Volume[] {
    return this.#state.volumes;
  }

  get(name: string): Volume | null {
    return this.#state.volumes.find((volume) => volume.name === name) ?? null;
  }

  // Reads the machine again and emits what changed; `hint.name` is probed again even if its
  // size and number did not change. Calls that arrive while one waits join it (a burst of
  // watcher events costs one reading).
  refresh(hint: { name?: string } = {}): Promise<void> {
    return this.#queue.enqueueReading(hint.name, (force) => this.#reload(force, false));
  }

  refreshUsage(): Promise<void> {
    if (this.#queue.closed) return Promise.resolve();
    return this.#queue.enqueue(async () => {
      const before = this.#state.volumes;
      const { volumes, stuck } = await readUsage(before, this.#unresponsive, this.#deadlines.probeMs);
      this.#state = { ...this.#state, volumes };
      for (const event of diffVolumes(before, volumes)) this.#events.emit(event);
      // A statfs that stopped answering: the row says so at the next reading.
      if (stuck) void this.refresh().catch(() => {});
    });
  }

  mount(name: string, actor: VolumeActor): Promise<Volume> {
    return this.#queue.enqueueAction(actor, 'volume-mount', name, async () => {
      await this.#reload(new Set([name]), false);
      const volume = getVolumeOrFail(this.#state.volumes, name);
      checkAction(volume, 'mount');
      const mountPoint = await this.#actions.mount(volume, true);
      await this.#reload(new Set(), false);
      return { result: this.get(name)!, detail: `on ${mountPoint}` };
    });
  }

  unmount(name: string, actor: VolumeActor, options: { force?: boolean } = {}): Promise<Volume> {
    const action = options.force ? 'volume-force-unmount' : 'volume-unmount';
    return this.#queue.enqueueAction(actor, action, name, async () => {
      await this.#reload(new Set(), false);
      const volume = getVolumeOrFail(this.#state.volumes, name);
      checkAction(volume, 'unmount');
      const force = options.force === true;
      const detail = await this.#actions
        .unmount(volume, force, this.#getLogin(), (holders) =>
          checkMayEnd(this.#options.accounts, this.#options.adminGroups, actor, holders),
        )
        .catch(async (error: unknown) => {
          // A failure part way (a mount detached lazily) may have changed the machine.
          await this.#reload(new Set(), false);
          throw error;
        });
      await this.#reload(new Set(), false);
      return { result: this.get(name) ?? volume, detail };
    });
  }

  eject(name: string, actor: VolumeActor): Promise<void> {
    return this.#queue.enqueueAction(actor, 'volume-eject', name, async () => {
      await this.#reload(new Set(), false);
      const volume = getVolumeOrFail(this.#state.volumes, name);
      checkAction(volume, 'eject');
      const detail = await this.#actions.eject(volume, this.#getLogin());
      await this.#reload(new Set(), false);
      return { result: undefined, detail };
    });
  }

  setReserved(name: string, reserved: boolean, actor: VolumeActor): Promise<Volume> {
    return this.#queue.enqueueAction(actor, reserved ? 'volume-reserve' : 'volume-unreserve', name, async () => {
      await this.#reload(new Set(), false);
      const volume = getVolumeOrFail(this.#state.volumes, name);
      const mount = volume.actions.find((entry) => entry.action === 'mount');
      if (volume.system || isRefusedFor(mount, outsideSandbox)) {
        const reason = mount?.reasonMessage ?? mount?.reason ?? '';
        throw new CoreError('permission-denied', say('volumes.reserveRefused', { name, reason }), {
          field: 'name',
        });
      }
      if (!volume.uuid) {
        throw new CoreError('invalid-argument', say('volumes.reserveNoUuid', { name }), {
          field: 'name',
        });
      }
      // The marker is kept by UUID: a clone (a copied image, a `tune2fs -U`) would share it,
      // and setting or clearing it through one would change the other (red team's L4).
      const twins = this.#state.volumes.filter((other) => other.uuid === volume.uuid && other.name !== name);
      if (twins.length > 0) {
        const others = twins.map((other) => other.device).join(', ');
        throw new CoreError('conflict', say('volumes.reserveTwins', { name, others, uuid: volume.uuid }), {
          field: 'name',
        });
      }
      await this.#reserved.set(volume.uuid, reserved);
      await this.#reload(new Set(), false);
      return { result: this.get(name)!, detail: `uuid ${volume.uuid}` };
    });
  }

  async getHolders(name: string): Promise<VolumeHolder[]> {
    const volume = getVolumeOrFail(this.#state.volumes, name);
    const mount = this.#state.mountsByName.get(volume.name)?.[0];
    return mount ? findHolders(mount.dev, this.#getLogin(), new Set([mount.id])) : [];
  }

  // Volume actions refused because the queue was full, since start.
  get queueRefusals(): number {
    return this.#queue.refusals;
  }

  // Finishes what is queued; later refreshes do nothing.
  async close(): Promise<void> {
    const closing = this.#queue.close();
    this.#watch?.close();
    this.#events.close();
    await closing;
  }

  // A change the watcher saw (hot-plug, a mkfs, a mount in a shell): the device it names is
  // probed again (a new filesystem keeps the device's size and number); after lost events,
  // every device is. The calls join into one reading.
  #handleHint(hint: BlockDeviceHint): void {
    const seen = hint.name ? [hint.name] : hint.mounts ? ['mounts'] : [];
    this.#options.events.emit('watch-changed', 'watch', { watcher: 'volumes', names: seen });
    const names = hint.name ? [hint.name] : hint.mounts ? [] : this.#state.volumes.map((volume) => volume.name);
    const readings = names.length > 0 ? names.map((name) => this.refresh({ name })) : [this.refresh()];
    Promise.all(readings).catch((error: Error) => {
      process.emitWarning(`volumes: reading the machine after a change failed: ${error.message}`);
    });
  }

  #getLogin(): (uid: number) => string {
    const logins = new Map(this.#options.accounts.listAccounts().map((account) => [account.uid, account.login]));
    return (uid) => logins.get(uid) ?? String(uid);
  }

  #getContext(): ActionContext {
    const root = this.#root;
    return {
      writable: this.writable,
      mountAllFs: this.#options.mountAllFs,
      getScopeRefusal: (device, disk) => {
        if (this.#options.isRealMachine) return null;
        const file = device.loopFile ?? disk?.loopFile ?? null;
        if (file?.startsWith(`${root}/`)) return null;
        return say('volumes.reason.outsideSandbox', { root });
      },
    };
  }

  // Reads the machine, swaps the state in, emits the differences; then auto-mounts what
  // appeared (at start: everything) when volumes.auto_mount is on.
  async #reload(force: ReadonlySet<string>, initial: boolean): Promise<void> {
    if (this.#queue.closed && !initial) return;
    const before = this.#state.volumes;
    this.#state = await readVolumeState({
      root: this.#root,
      mediaDir: this.#mediaDir,
      probes: this.#probes,
      force,
      isReserved: (uuid) => this.#reserved.has(uuid),
      context: this.#getContext(),
      unresponsive: this.#unresponsive,
      timeoutMs: this.#deadlines.probeMs,
    });
    for (const event of diffVolumes(before, this.#state.volumes)) this.#events.emit(event);
    if (!this.#options.autoMount) return;
    const known = new Set(before.map((volume) => volume.name));
    const appeared = this.#state.volumes.filter((volume) => initial || !known.has(volume.name));
    for (const volume of appeared) await this.#autoMount(volume);
  }

  async #autoMount(volume: Volume): Promise<void> {
    if (volume.reserved || !volume.actions.find((entry) => entry.action === 'mount')?.allowed) return;
    const who = { ...daemonActor, action: 'volume-auto-mount', target: volume.name };
    try {
      const mountPoint = await this.#actions.mount(volume, false);
      await this.#options.audit.record({ ...who, outcome: 'done', detail: `on ${mountPoint}` });
    } catch (error) {
      await this.#options.audit.record({ ...who, outcome: 'failed', detail: (error as Error).message.slice(0, 300) });
      return;
    }
    await this.#reload(new Set(), false);
  }
}
