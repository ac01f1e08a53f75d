import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// One block device as /sys/class/block describes it (no probing of its content).
export interface BlockDevice {
  name: string;
  // "major:minor", matched against mountinfo.
  dev: string;
  size: number;
  removable: boolean;
  readOnly: boolean;
  // The whole disk a partition belongs to; null for a disk.
  disk: string | null;
  loopFile: string | null;
  // Bumped by the kernel at each attach/media change (5.15+); null when absent.
  diskseq: string | null;
  // Devices stacked on this one (dm, md) and the ones it is stacked on.
  holders: string[];
  slaves: string[];
}

const sysBlock = '/sys/class/block';

async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

async function readNames(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort();
  } catch {
    return [];
  }
}

// Reads one device; null when it vanished meanwhile or is empty (a free loop device, a card
// reader without a card): nothing to show or act on.
export async function readBlockDevice(name: string): Promise<BlockDevice | null> {
  const dir = join(sysBlock, name);
  const [dev, sectors, ro, partition, backing, diskseq, holders, slaves, link] = await Promise.all([
    readText(join(dir, 'dev')),
    readText(join(dir, 'size')),
    readText(join(dir, 'ro')),
    readText(join(dir, 'partition')),
    readText(join(dir, 'loop/backing_file')),
    readText(join(dir, 'diskseq')),
    readNames(join(dir, 'holders')),
    readNames(join(dir, 'slaves')),
    readlink(dir).catch(() => null),
  ]);
  if (!dev || !link || !sectors || !/^\d+$/.test(sectors) || sectors === '0') return null;
  // A partition's sysfs directory sits inside its disk's one.
  const disk = partition ? basename(dirname(link)) : null;
  const removable = await readText(join(sysBlock, disk ?? name, 'removable'));
  return {
    name,
    dev,
    // Always in 512-byte sectors, whatever the logical block size.
    size: Number(sectors) * 512,
    removable: removable === '1',
    readOnly: ro === '1',
    disk,
    loopFile: backing || null,
    diskseq: diskseq || null,
    holders,
    slaves,
  };
}

// Every non-empty block device and partition, by name.
export async function readBlockDevices(): Promise<BlockDevice[]> {
  // The schema's name pattern: a kernel name that does not fit (cciss!c0d0) is left out rather
  // than put into DOM ids and URLs.
  const names = (await readNames(sysBlock)).filter((name) => /^[A-Za-z0-9._:+-]{1,64}$/.test(name));
  const devices = await Promise.all(names.map(readBlockDevice));
  return devices.filter((device): device is BlockDevice => device !== null);
}
