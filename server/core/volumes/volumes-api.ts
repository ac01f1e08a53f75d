import type { Volume } from './volume-schema.ts';
import type { VolumesWritable } from './build-volumes.ts';

// Who asked for a volume action, for the audit log.
export interface VolumeActor {
  login: string;
  address: string;
  // Checks the actor's rights again, throwing a CoreError when they no longer hold (a member
  // demoted, a session ended): the service calls it inside its queue, just before acting.
  checkRights?: () => void;
}

// A process that keeps a mount busy (from /proc/<pid>/fd, cwd, root and maps).
export interface VolumeHolder {
  pid: number;
  command: string;
  login: string;
}

// What the core's volumes service offers the web layer and the CLI (server/core/volumes).
// Refusals are CoreError: 'not-found'; 'permission-denied' for a system volume or a daemon
// that may not act (not root); 'in-use' with the holders listed in the message and in
// `error.details` (VolumeHolder[]); 'invalid-argument' naming the field and value.
export interface VolumesApi {
  // Every block device and partition, system ones included, sorted by name.
  list(): Volume[];
  get(name: string): Volume | null;
  // Whether this daemon may act on volumes at all (root, not read-only); why not otherwise.
  readonly writable: VolumesWritable;
  mount(name: string, actor: VolumeActor): Promise<Volume>;
  // Refused with 'in-use' and the holders unless `force` (a separate, confirmed action: the
  // holders are sent SIGTERM, then SIGKILL; only members of `admins` may end system or admin
  // accounts' processes; a mount still held is detached lazily and reported as 'in-use').
  unmount(name: string, actor: VolumeActor, options?: { force?: boolean }): Promise<Volume>;
  // Unmounts (refused if busy), then detaches a loop device or powers off a removable disk.
  eject(name: string, actor: VolumeActor): Promise<void>;
  setReserved(name: string, reserved: boolean, actor: VolumeActor): Promise<Volume>;
  // The processes holding a mounted volume now.
  getHolders(name: string): Promise<VolumeHolder[]>;
  // Reads the machine again and emits the differences as events (the live watcher calls it;
  // `name` is probed again even when its size and device number did not change).
  refresh(hint?: { name?: string }): Promise<void>;
  // Reads the space used on the mounted volumes only (statfs, no device probing) and emits
  // volume-usage for those that changed, at most once a second each: cheap enough to call
  // every few seconds while a page shows the volumes or the status bars.
  refreshUsage(): Promise<void>;
  // Settles when the first reading of the machine is done (the daemon starts without it: a
  // device that does not answer must not keep it down).
  whenRead(): Promise<void>;
  close(): Promise<void>;
}
