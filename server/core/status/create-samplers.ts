import { createProcFiles, type Sampler } from './sampler.ts';
import { createCpuSampler } from './samplers/cpu-sampler.ts';
import { createMemorySampler } from './samplers/memory-sampler.ts';
import { createLoadSampler } from './samplers/load-sampler.ts';
import { createNetworkSampler } from './samplers/network-sampler.ts';
import { createDiskSampler } from './samplers/disk-sampler.ts';
import { createFilesystemSampler } from './samplers/filesystem-sampler.ts';
import { createDaemonSampler, type DaemonFigures } from './samplers/daemon-sampler.ts';
import { createSharesSampler, type SharesFiguresSource } from './samplers/shares-sampler.ts';

// The machine's samplers (CPU, memory, load, network, disks, filesystems) and the
// daemon's own, reading this machine's /proc: the status of the machine the daemon runs
// on, whatever root it manages; `daemon` is read at each tick (figures added later count); the
// shares' watcher's figures when there is one.
export function createSamplers(daemon: DaemonFigures, shares?: SharesFiguresSource): Sampler[] {
  const proc = createProcFiles();
  return [
    createCpuSampler(proc),
    createMemorySampler(proc),
    createLoadSampler(proc),
    createNetworkSampler(proc),
    createDiskSampler(proc),
    createFilesystemSampler(proc),
    createDaemonSampler(daemon),
    ...(shares ? [createSharesSampler(shares)] : []),
  ];
}
