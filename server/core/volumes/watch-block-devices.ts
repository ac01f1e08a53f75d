import { access } from 'node:fs/promises';
import { startBlockWatch, stopBlockWatch, type BlockChangeBatch } from '../../native/native.ts';

// What changed, as far as the watcher can tell: one device by kernel name (`loop3`, `sdb1`),
// the mount table (`mounts`), or, with neither, anything (re-read everything).
export interface BlockDeviceHint {
  name?: string;
  mounts?: boolean;
}

export interface WatchBlockDevicesOptions {
  // The device nodes' directory, watched for a block device closed after writing (a mkfs)
  // and for nodes made and removed.
  devDir?: string;
  // udev's links by filesystem UUID, watched when the directory exists.
  uuidDir?: string;
  // The mount table whose changes are wanted (poll() POLLPRI: this process's namespace).
  mountInfo?: string;
  // Listen to udev's events as well as the kernel's; by default when udev runs.
  udev?: boolean;
  // Quiet time that ends a burst (a mkfs closes its device several times).
  debounceMs?: number;
  // Longest wait after the first change of a burst, whatever follows.
  maxDelayMs?: number;
}

// A running watcher: which sources it could open, and close() to stop it.
export interface BlockDeviceWatch {
  readonly sources: readonly string[];
  close(): void;
}

// Past this many distinct names in one burst, one "anything" hint is cheaper than each.
const maxNamesPerBurst = 64;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

// Watches the machine's block devices and mounts without polling (kernel uevents, udev's when
// it runs, POLLPRI on mountinfo, inotify on /dev and /dev/disk/by-uuid, from one native thread:
// server/native/block_watch.c) and calls `onChange` once a burst is over, with one hint per
// device named, one for the mounts, or a single empty hint when anything may have changed.
export async function watchBlockDevices(
  options: WatchBlockDevicesOptions,
  onChange: (hint: BlockDeviceHint) => void,
): Promise<BlockDeviceWatch> {
  const {
    devDir = '/dev',
    uuidDir = '/dev/disk/by-uuid',
    mountInfo = '/proc/self/mountinfo',
    debounceMs = 20,
    maxDelayMs = 100,
  } = options;
  const udev = options.udev ?? (await exists('/run/udev/control'));
  const hasUuidDir = await exists(uuidDir);
  let names = new Set<string>();
  let mounts = false;
  let everything = false;
  let quietTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const report = (hint: BlockDeviceHint) => {
    try {
      onChange(hint);
    } catch (error) {
      // One listener's failure must not stop the watcher (nor crash the daemon from a
      // native callback); it is reported as a process warning.
      process.emitWarning(error instanceof Error ? error : String(error), 'BlockDeviceWatchWarning');
    }
  };
  const flush = () => {
    clearTimeout(quietTimer);
    clearTimeout(deadlineTimer);
    quietTimer = deadlineTimer = undefined;
    const burst = { names, mounts, everything };
    names = new Set();
    mounts = everything = false;
    if (closed) return;
    if (burst.everything) return report({});
    for (const name of burst.names) report({ name });
    if (burst.mounts) report({ mounts: true });
  };
  const handleBatch = (batch: BlockChangeBatch) => {
    if (closed) return;
    for (const name of batch.names) names.add(name);
    mounts ||= batch.mounts;
    everything ||= batch.everything || names.size > maxNamesPerBurst;
    clearTimeout(quietTimer);
    quietTimer = setTimeout(flush, debounceMs);
    deadlineTimer ??= setTimeout(flush, maxDelayMs);
  };
  const watch = startBlockWatch({ devDir, uuidDir: hasUuidDir ? uuidDir : '', mountInfo, udev }, handleBatch);
  return {
    sources: watch.sources,
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(quietTimer);
      clearTimeout(deadlineTimer);
      stopBlockWatch(watch);
    },
  };
}
