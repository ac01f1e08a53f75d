// The volumes benchmark, on 50 real loop devices (ext4 images in a temporary directory, all
// detached at the end whatever happens): discovery against lsblk and blkid; a `losetup`
// attach to the `volume-added` event, to the push frame and to the row in an open /volumes/
// page; the mount watchers (the addon's poll() against `findmnt --poll`); the daemon's CPU,
// idle, with the 50 attached against none. Needs root; says why not and stops otherwise.
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { getLoopSkipReason } from '../test/helpers/loop-devices.ts';
import { startBenchDaemon } from './processes.ts';
import { printTable } from './print-table.ts';
import { LoopFleet } from './loop-fleet.ts';
import { measureDiscovery } from './volume-discovery.ts';
import { compareMountWatchers, getCpuMs } from './volume-watch-sources.ts';
import { measureAttachDelays } from './volume-attach-delays.ts';
import { watchBlockDevices } from '../server/core/volumes/watch-block-devices.ts';
import { readBenchCount } from './bench-settings.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

// A process's CPU, in percent of one core, over `seconds`; the share of its block watcher
// thread (named licorn-blkwatch by the addon); and the changes made meanwhile by others (other
// sessions' tests attach and mount theirs), each of which costs the daemon one reading.
async function measureIdleCpu(
  pid: number,
  seconds: number,
): Promise<{ daemon: number; watcher: number; changes: number }> {
  let changes = 0;
  const watch = await watchBlockDevices({}, () => {
    changes += 1;
  });
  let watcherStat = '';
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const comm = await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'licorn-blkwatch') watcherStat = `/proc/${pid}/task/${tid}/stat`;
  }
  const before = [await getCpuMs(`/proc/${pid}/stat`), watcherStat ? await getCpuMs(watcherStat) : 0];
  const started = performance.now();
  await sleep(seconds * 1000);
  const elapsed = performance.now() - started;
  const after = [await getCpuMs(`/proc/${pid}/stat`), watcherStat ? await getCpuMs(watcherStat) : 0];
  watch.close();
  return {
    daemon: ((after[0]! - before[0]!) * 100) / elapsed,
    watcher: ((after[1]! - before[1]!) * 100) / elapsed,
    changes,
  };
}

// Runs the benchmark and prints its tables.
export async function runVolumesBench(): Promise<void> {
  const reason = getLoopSkipReason();
  if (reason) {
    process.stdout.write(`\nVolumes: not run: ${reason}\n`);
    return;
  }
  const count = readBenchCount('LICORN_BENCH_VOLUMES', 50);
  const idleSeconds = readBenchCount('LICORN_BENCH_IDLE_SECONDS', 20);
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-volumes-bench-'));
  const root = join(dir, 'root');
  await createDemoRoot(root, { passwords: testPasswords });
  const fleet = new LoopFleet(join(root, 'images'));
  await mkdir(fleet.dir);
  try {
    const images = await fleet.createImages(count + 1);
    const spare = images.pop()!;
    for (const image of images) await fleet.attach(image);

    const discovery = await measureDiscovery(root, 10);
    const mountPoint = join(dir, 'mnt');
    await mkdir(mountPoint);
    const mountDevice = `/dev/${[...fleet.attached.keys()][0]}`;
    const mounts = await compareMountWatchers(mountDevice, mountPoint, 20);

    const daemon = await startBenchDaemon(dir, root);
    try {
      const attach = await measureAttachDelays(fleet, spare, root, daemon.port, 20);
      await sleep(2000);
      const idleWith = await measureIdleCpu(daemon.child.pid!, idleSeconds);
      await fleet.detachAll();
      await sleep(2000);
      const idleWithout = await measureIdleCpu(daemon.child.pid!, idleSeconds);

      printTable(
        `Volumes: discovery of ${discovery.volumes} block devices (${count} loops; ${discovery.typed} with a ` +
          `filesystem found), median of 10, ms`,
        [
          {
            name: 'core, cold (every device probed: a start)',
            ours: discovery.coldMs,
            baseline: discovery.lsblkMs,
            target: '≤ 1× lsblk',
          },
          {
            name: 'core, warm (a refresh: nothing new to probe)',
            ours: discovery.warmMs,
            baseline: discovery.lsblkMs,
            target: '≤ 1× lsblk',
          },
          {
            name: 'core, cold, against blkid -c /dev/null',
            ours: discovery.coldMs,
            baseline: discovery.blkidMs,
            target: '—',
          },
        ],
        { ours: 'core', baseline: 'lsblk/blkid' },
      );
      const delayRows = [
        {
          name: 'losetup → volume-added on the bus, p50 ms',
          ours: quantile(attach.bus, 0.5),
          baseline: null,
          target: '—',
        },
        {
          name: 'losetup → volume-added on the bus, p95 ms',
          ours: quantile(attach.bus, 0.95),
          baseline: null,
          target: '≤ 500',
        },
      ];
      if (attach.frame.length > 0) {
        delayRows.push(
          {
            name: 'losetup → push frame (bare WebSocket), p95 ms',
            ours: quantile(attach.frame, 0.95),
            baseline: null,
            target: '≤ 500',
          },
          {
            name: 'losetup → row painted in /volumes/, p50 ms',
            ours: quantile(attach.painted, 0.5),
            baseline: null,
            target: '—',
          },
          {
            name: 'losetup → row painted in /volumes/, p95 ms',
            ours: quantile(attach.painted, 0.95),
            baseline: null,
            target: '≤ 500',
          },
        );
      }
      printTable(`Volumes: attach to event and row (${attach.bus.length} attaches, ${count} attached)`, delayRows);
      if (attach.frame.length === 0) process.stdout.write(`(no row timing: ${attach.noPageReason})\n`);
      printTable(
        'Volumes: mount/umount seen by the addon (poll on mountinfo) against findmnt --poll (40 changes)',
        [
          {
            name: 'mount or umount → seen, p50 ms',
            ours: quantile(mounts.nativeMs, 0.5),
            baseline: quantile(mounts.findmntMs, 0.5),
            target: '—',
          },
          {
            name: 'mount or umount → seen, p95 ms',
            ours: quantile(mounts.nativeMs, 0.95),
            baseline: quantile(mounts.findmntMs, 0.95),
            target: '≤ 500',
          },
          {
            name: 'CPU for the 40 changes, ms (10 ms ticks)',
            ours: mounts.nativeCpuMs,
            baseline: mounts.findmntCpuMs,
            target: '—',
          },
        ],
        { ours: 'addon', baseline: 'findmnt' },
      );
      process.stdout.write(`(findmnt --poll: one more process, ${mounts.findmntRssMiB.toFixed(1)} MiB resident)\n`);
      printTable(
        `Volumes: the daemon idle for ${idleSeconds} s, % of a core`,
        [
          {
            name: `daemon, ${count} loops attached (vs none)`,
            ours: idleWith.daemon,
            baseline: idleWithout.daemon,
            target: 'no polling cost',
          },
          { name: 'its block watcher thread', ours: idleWith.watcher, baseline: idleWithout.watcher, target: '0' },
          {
            name: "others' device and mount changes meanwhile (hints)",
            ours: idleWith.changes,
            baseline: idleWithout.changes,
            target: '—',
          },
        ],
        { ours: `${count} loops`, baseline: 'none' },
      );
    } finally {
      await daemon.stop();
    }
  } finally {
    await fleet.detachAll();
    await rm(dir, { recursive: true, force: true });
  }
}
