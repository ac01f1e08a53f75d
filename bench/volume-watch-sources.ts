// The volumes bench's comparison of two ways to learn of a mount or an unmount: the addon's
// thread in poll() on /proc/self/mountinfo (server/native/block_watch.c) against a
// `findmnt --poll` child, both running at once and timed from the same mount(8) start.
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { watchBlockDevices } from '../server/core/volumes/watch-block-devices.ts';

const run = promisify(execFile);

// CPU time, in ms, of /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat.
export async function getCpuMs(statPath: string): Promise<number> {
  const fields = (await readFile(statPath, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// The stat file of this process's thread named `name`, or null.
export async function findThreadStat(name: string): Promise<string | null> {
  for (const tid of await readdir('/proc/self/task')) {
    const comm = await readFile(`/proc/self/task/${tid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === name) return `/proc/self/task/${tid}/stat`;
  }
  return null;
}

// What each source showed over `cycles` mount/umount pairs of `device` on `target`.
export interface MountWatchFigures {
  nativeMs: number[];
  findmntMs: number[];
  nativeCpuMs: number;
  findmntCpuMs: number;
  findmntRssMiB: number;
}

// Mounts and unmounts `device` on `target` `cycles` times; notes when each source reported it.
export async function compareMountWatchers(device: string, target: string, cycles: number): Promise<MountWatchFigures> {
  let nativeSeen = 0;
  let findmntSeen = 0;
  let onSeen = () => {};
  const watch = await watchBlockDevices({ debounceMs: 0, maxDelayMs: 0 }, (hint) => {
    if (hint.mounts || hint.name === undefined) nativeSeen ||= performance.now();
    onSeen();
  });
  const findmnt = spawn('findmnt', ['--poll', '--raw', '--noheadings', '-o', 'ACTION,TARGET'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  createInterface({ input: findmnt.stdout }).on('line', (line) => {
    if (line.includes(target)) findmntSeen ||= performance.now();
    onSeen();
  });
  const thread = await findThreadStat('licorn-blkwatch');
  const nativeMs: number[] = [];
  const findmntMs: number[] = [];
  try {
    // findmnt reads the table once at start; give it that before the first mount.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const nativeCpuStart = thread ? await getCpuMs(thread) : 0;
    const findmntCpuStart = await getCpuMs(`/proc/${findmnt.pid}/stat`);
    for (let cycle = 0; cycle < cycles * 2; cycle += 1) {
      nativeSeen = findmntSeen = 0;
      const started = performance.now();
      await run(cycle % 2 === 0 ? 'mount' : 'umount', cycle % 2 === 0 ? [device, target] : [target]);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        onSeen = () => {
          if (nativeSeen === 0 || findmntSeen === 0) return;
          clearTimeout(timer);
          resolve();
        };
        onSeen();
      });
      if (nativeSeen === 0 || findmntSeen === 0) throw new Error(`a mount watcher missed cycle ${cycle}`);
      nativeMs.push(nativeSeen - started);
      findmntMs.push(findmntSeen - started);
    }
    const status = await readFile(`/proc/${findmnt.pid}/status`, 'utf8');
    return {
      nativeMs,
      findmntMs,
      nativeCpuMs: thread ? (await getCpuMs(thread)) - nativeCpuStart : Number.NaN,
      findmntCpuMs: (await getCpuMs(`/proc/${findmnt.pid}/stat`)) - findmntCpuStart,
      findmntRssMiB: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024,
    };
  } finally {
    watch.close();
    findmnt.kill();
    await run('umount', [target]).catch(() => {});
  }
}
