// The volumes bench's discovery figures: the core's reading of the machine (sysfs, mountinfo,
// libblkid's probe of each device in-process) cold (nothing probed yet: a start) and warm (what a watcher's
// refresh costs), against lsblk (the baseline) and against one `blkid` probing every
// device (lsblk's FSTYPE, LABEL and UUID come from udev's database: without udev it reads
// only sysfs and shows none of them, so blkid is what the same answer costs here).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ProbeCache } from '../server/core/volumes/probe-filesystem.ts';
import { readVolumeState } from '../server/core/volumes/read-volume-state.ts';
import { defaultDeadlines, UnresponsiveDevices } from '../server/core/volumes/unresponsive-devices.ts';
import { median } from './statistics.ts';

const run = promisify(execFile);

async function time(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

// Median times in ms over `rounds`, the four taken in turn so that they meet the same load.
export interface DiscoveryFigures {
  coldMs: number;
  warmMs: number;
  lsblkMs: number;
  blkidMs: number;
  volumes: number;
  // Volumes whose filesystem the reading found (lsblk, here, finds none).
  typed: number;
}

export async function measureDiscovery(root: string, rounds: number): Promise<DiscoveryFigures> {
  const unresponsive = new UnresponsiveDevices(() => {});
  const createCache = () => new ProbeCache(unresponsive, defaultDeadlines.probeMs);
  const read = (probes: ProbeCache) =>
    readVolumeState({
      root,
      mediaDir: join(root, 'media'),
      probes,
      force: new Set(),
      isReserved: () => false,
      context: {
        writable: { allowed: true, reason: null, reasonMessage: null },
        mountAllFs: false,
        getScopeRefusal: () => null,
      },
      unresponsive,
      timeoutMs: defaultDeadlines.probeMs,
    });
  const warmCache = createCache();
  const state = await read(warmCache);
  const cold: number[] = [];
  const warm: number[] = [];
  const lsblk: number[] = [];
  const blkid: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    cold.push(await time(() => read(createCache())));
    warm.push(await time(() => read(warmCache)));
    lsblk.push(
      await time(() =>
        run('lsblk', ['-J', '-o', 'NAME,FSTYPE,LABEL,UUID,MOUNTPOINT,SIZE'], { maxBuffer: 16 * 1024 * 1024 }),
      ),
    );
    // -c /dev/null: no cache file, every device probed (as -p does for the core).
    blkid.push(await time(() => run('blkid', ['-c', '/dev/null', '-o', 'export'], { maxBuffer: 16 * 1024 * 1024 })));
  }
  return {
    coldMs: median(cold),
    warmMs: median(warm),
    lsblkMs: median(lsblk),
    blkidMs: median(blkid),
    volumes: state.volumes.length,
    typed: state.volumes.filter((volume) => volume.fsType !== null).length,
  };
}
