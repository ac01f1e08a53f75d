import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountsService } from '../accounts/accounts-service.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { getActor, getRefusal } from '../accounts/account-permissions.ts';
import { CoreError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { ActionContext } from './build-volumes.ts';
import { diffVolumes, type VolumeEvent } from './diff-volumes.ts';
import { findHolders } from './find-holders.ts';
import { ProbeCache } from './probe-filesystem.ts';
import { mapLimited } from './run-tool.ts';
import { getUsage, readVolumeState, type VolumeState } from './read-volume-state.ts';
import { ReservedStore } from './reserved-store.ts';
import { QueueRefusals } from './queue-refusals.ts';
import { detachedLazily, VolumeActions } from './volume-actions.ts';
import { checkAction, getVolumeOrFail } from './volume-refusal.ts';
import type { Volume } from './volume-schema.ts';
import { type Deadlines, defaultDeadlines, UnresponsiveDevices } from './unresponsive-devices.ts';
import type { VolumeActor, VolumeHolder, VolumesApi } from './volumes-api.ts';
import { type BlockDeviceHint, type BlockDeviceWatch, watchBlockDevices } from './watch-block-devices.ts';

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

// Actions that may wait in the queue: each re-reads the machine and may run blkid, so a flood
// of requests is refused at once rather than queued for minutes.
const maxWaitingActions = 32;

// The volumes service: discovery, Licorn's mount policy, actions, reserved markers, events.
// Every reading and every action runs in one queue, so an action acts on the state it just
// read and its event follows the durable change (the kernel's mount table, the state file).
export class VolumesService implements VolumesApi {
  readonly writable: { allowed: boolean; reason: string | null };
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
  #queue: Promise<unknown> = Promise.resolve();
  #pending: { force: Set<string>; done: Promise<void> } | null = null;
  #waitingActions = 0;
  readonly #refusals: QueueRefusals;
  #lastUsage = new Map<string, number>();
  #usageTimers = new Map<string, NodeJS.Timeout>();
  #closed = false;
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
    this.#refusals = new QueueRefusals(options.audit);
    const isRoot = process.getuid?.() === 0;
    this.writable = isRoot
      ? { allowed: true, reason: null }
      : { allowed: false, reason: 'licornd does not run as root: volumes are shown read-only' };
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
    service.#firstReading = service.#enqueue(() => service.#reload(new Set(), true));
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
    if (this.#closed) return Promise.resolve();
    if (this.#pending) {
      if (hint.name) this.#pending.force.add(hint.name);
      return this.#pending.done;
    }
    const force = new Set(hint.name ? [hint.name] : []);
    const done = this.#enqueue(async () => {
      this.#pending = null;
      await this.#reload(force, false);
    });
    this.#pending = { force, done };
    return done;
  }

  refreshUsage(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#enqueue(async () => {
      const before = this.#state.volumes;
      let stuck = false;
      const volumes = await mapLimited(before, 4, async (volume) => {
        if (!volume.mountPoint || volume.state === 'not-responding') return volume;
        const { probeMs } = this.#deadlines;
        const usage = await this.#unresponsive
          .run(volume.name, () => getUsage(volume.mountPoint!, probeMs))
          .catch(() => {
            stuck = this.#unresponsive.getReason(volume.name) !== null;
            return null;
          });
        return usage && JSON.stringify(usage) !== JSON.stringify(volume.usage) ? { ...volume, usage } : volume;
      });
      this.#state = { ...this.#state, volumes };
      for (const event of diffVolumes(before, volumes)) this.#emit(event);
      // A statfs that stopped answering: the row says so at the next reading.
      if (stuck) void this.refresh().catch(() => {});
    });
  }

  mount(name: string, actor: VolumeActor): Promise<Volume> {
    return this.#audited(actor, 'volume-mount', name, async () => {
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
    return this.#audited(actor, action, name, async () => {
      await this.#reload(new Set(), false);
      const volume = getVolumeOrFail(this.#state.volumes, name);
      checkAction(volume, 'unmount');
      const force = options.force === true;
      const detail = await this.#actions
        .unmount(volume, force, this.#getLogin(), (holders) => this.#checkMayEnd(actor, holders))
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
    return this.#audited(actor, 'volume-eject', name, async () => {
      await this.#reload(new Set(), false);
      const volume = getVolumeOrFail(this.#state.volumes, name);
      checkAction(volume, 'eject');
      const detail = await this.#actions.eject(volume, this.#getLogin());
      await this.#reload(new Set(), false);
      return { result: undefined, detail };
    });
  }

  setReserved(name: string, reserved: boolean, actor: VolumeActor): Promise<Volume> {
    return this.#audited(actor, reserved ? 'volume-reserve' : 'volume-unreserve', name, async () => {
      await this.#reload(new Set(), false);
      const volume = getVolumeOrFail(this.#state.volumes, name);
      const scope = volume.actions.find((entry) => entry.action === 'mount')?.reason ?? '';
      if (volume.system || /outside the sandbox/.test(scope)) {
        throw new CoreError('permission-denied', `Cannot mark ${name} reserved: ${scope}`, { field: 'name' });
      }
      if (!volume.uuid) {
        throw new CoreError('invalid-argument', `Cannot mark ${name} reserved: it has no filesystem UUID`, {
          field: 'name',
        });
      }
      // The marker is kept by UUID: a clone (a copied image, a `tune2fs -U`) would share it,
      // and setting or clearing it through one would change the other (red team's L4).
      const twins = this.#state.volumes.filter((other) => other.uuid === volume.uuid && other.name !== name);
      if (twins.length > 0) {
        const others = twins.map((other) => other.device).join(', ');
        throw new CoreError(
          'conflict',
          `Cannot change the reserved marker of ${name}: ${others} shares its UUID ${volume.uuid} ` +
            '(a clone?); give one of them a new UUID, or unplug it, first',
          { field: 'name' },
        );
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
    return this.#refusals.total;
  }

  // Finishes what is queued; later refreshes do nothing.
  async close(): Promise<void> {
    this.#closed = true;
    await this.#refusals.flush();
    this.#watch?.close();
    for (const timer of this.#usageTimers.values()) clearTimeout(timer);
    this.#usageTimers.clear();
    await this.#queue.catch(() => {});
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

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  // Runs an action in the queue and writes its outcome to the audit log (refusals too).
  #audited<T>(
    actor: VolumeActor,
    action: string,
    target: string,
    run: () => Promise<{ result: T; detail: string }>,
  ): Promise<T> {
    const who = { login: actor.login, address: actor.address, action, target: String(target).slice(0, 80) };
    if (this.#closed) return Promise.reject(new CoreError('conflict', 'The volumes service is shutting down'));
    if (this.#waitingActions >= maxWaitingActions) {
      // Counted and audited at a bounded rate: a flood of refusals never floods the audit log.
      const error = new CoreError('busy', `Too many volume actions waiting (${maxWaitingActions}): try again later`);
      this.#refusals.count(actor, action, error.message);
      return Promise.reject(error);
    }
    this.#waitingActions += 1;
    return this.#enqueue(async () => {
      this.#waitingActions -= 1;
      try {
        // The actor's rights now, not when the request joined the queue (a member demoted
        // while the action waited no longer acts: red team's M4).
        actor.checkRights?.();
        const { result, detail } = await run();
        await this.#options.audit.record({ ...who, outcome: 'done', detail });
        return result;
      } catch (error) {
        // A forced unmount detached lazily did change the machine, without the outcome asked.
        const lazily = error instanceof CoreError && error.cause === detachedLazily;
        const refused = error instanceof CoreError && error.code !== 'internal-error' && !lazily;
        const detail = (error as Error).message.slice(0, 300);
        await this.#options.audit.record({ ...who, outcome: refused ? 'refused' : 'failed', detail });
        throw error;
      }
    });
  }

  // Licorn's account rules applied to a force's holders: a member of `admins` may end any
  // process (but init and licornd); another administrator (licorn-wmi) only their own and
  // those of accounts they may modify — not root's, a daemon's, a system account's nor an admin's
  // (red team's L2). A refusal names them and nothing is signalled.
  #checkMayEnd(actor: VolumeActor, holders: VolumeHolder[]): void {
    const { accounts, adminGroups } = this.#options;
    const who = getActor((login) => accounts.getAccount(login), actor.login);
    if (who.inAdminsGroup) return;
    const denied = holders.filter((holder) => {
      if (holder.login === actor.login) return false;
      const account = accounts.getAccount(holder.login);
      return !account || getRefusal(who, account, 'modify', adminGroups) !== null;
    });
    if (denied.length === 0) return;
    const named = denied.slice(0, 10).map((holder) => `pid ${holder.pid} (${holder.command}, ${holder.login})`);
    throw new CoreError(
      'permission-denied',
      `Only members of "admins" may end processes of system or administrator accounts: ${named.join(', ')}`,
      { field: 'force' },
    );
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
        return `outside the sandbox ${root}: only loop devices of image files inside it are managed`;
      },
    };
  }

  // Reads the machine, swaps the state in, emits the differences; then auto-mounts what
  // appeared (at start: everything) when volumes.auto_mount is on.
  async #reload(force: ReadonlySet<string>, initial: boolean): Promise<void> {
    if (this.#closed && !initial) return;
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
    for (const event of diffVolumes(before, this.#state.volumes)) this.#emit(event);
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

  // volume-usage at most once a second per volume: a busy disk's usage changes constantly.
  #emit(event: VolumeEvent): void {
    const { events } = this.#options;
    if (event.name !== 'volume-usage') {
      events.emit(event.name, 'volumes', event.data as never);
      return;
    }
    const name = event.data.name;
    const wait = (this.#lastUsage.get(name) ?? 0) + 1000 - Date.now();
    if (wait <= 0) {
      this.#lastUsage.set(name, Date.now());
      events.emit('volume-usage', 'volumes', { name });
    } else if (!this.#usageTimers.has(name)) {
      const timer = setTimeout(() => {
        this.#usageTimers.delete(name);
        this.#lastUsage.set(name, Date.now());
        if (!this.#closed && this.get(name)) events.emit('volume-usage', 'volumes', { name });
      }, wait);
      timer.unref();
      this.#usageTimers.set(name, timer);
    }
  }
}
