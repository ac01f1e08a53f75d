// Parsers for the /proc files the status samplers read. Pure functions of the text, so
// they are tested on files taken from real machines (test/fixtures/proc/).

// CPU time counters of /proc/stat, in clock ticks since boot.
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

// The `cpu` (all cores) and `cpuN` lines of /proc/stat.
export function parseProcStat(text: string): { total: CpuTimes; cores: CpuTimes[] } {
  let total: CpuTimes | null = null;
  const cores: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const match = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = match[2]!
      .trim()
      .split(/\s+/)
      .map(Number);
    const times = { user, nice, system, idle, iowait, irq, softirq, steal };
    if (match[1] === '') total = times;
    else cores[Number(match[1])] = times;
  }
  if (!total) throw new Error('/proc/stat has no "cpu" line');
  return { total, cores: cores.filter(Boolean) };
}

// /proc/meminfo in bytes, by field name (`MemTotal`, `Cached`…).
export function parseMeminfo(text: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^([\w()]+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (match) fields[match[1]!] = Number(match[2]) * (line.trim().endsWith('kB') ? 1024 : 1);
  }
  return fields;
}

// /proc/loadavg: the 1, 5 and 15 minute load, running and total tasks.
export function parseLoadavg(text: string): {
  one: number;
  five: number;
  fifteen: number;
  running: number;
  total: number;
} {
  const match = /^([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\/(\d+)/.exec(text.trim());
  if (!match) throw new Error(`/proc/loadavg is not understood: ${JSON.stringify(text.slice(0, 80))}`);
  return {
    one: Number(match[1]),
    five: Number(match[2]),
    fifteen: Number(match[3]),
    running: Number(match[4]),
    total: Number(match[5]),
  };
}

// One interface's counters in /proc/net/dev.
export interface InterfaceCounters {
  rxBytes: number;
  rxErrors: number;
  txBytes: number;
  txErrors: number;
}

// /proc/net/dev by interface name.
export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const interfaces = new Map<string, InterfaceCounters>();
  for (const line of text.split('\n').slice(2)) {
    const match = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    const fields = match[2]!.trim().split(/\s+/).map(Number);
    if (fields.length < 16) continue;
    interfaces.set(match[1]!, {
      rxBytes: fields[0]!,
      rxErrors: fields[2]!,
      txBytes: fields[8]!,
      txErrors: fields[10]!,
    });
  }
  return interfaces;
}

// One block device's counters in /proc/diskstats (sectors are 512 bytes whatever the disk).
export interface DiskCounters {
  sectorsRead: number;
  sectorsWritten: number;
  busyMs: number;
}

// /proc/diskstats by device name.
export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const disks = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 14) continue;
    disks.set(fields[2]!, {
      sectorsRead: Number(fields[5]),
      sectorsWritten: Number(fields[9]),
      busyMs: Number(fields[12]),
    });
  }
  return disks;
}

// Filesystem types that hold data on a device (not proc, sysfs, tmpfs, cgroup, overlay…).
const realFilesystems = new Set([
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'btrfs',
  'vfat',
  'exfat',
  'f2fs',
  'zfs',
  'jfs',
  'reiserfs',
  'ntfs',
  'ntfs3',
  'nfs',
  'nfs4',
  'cifs',
  'fuseblk',
]);

// The mounted real filesystems of /proc/self/mountinfo, each once. A bind mount is not
// another filesystem: a mount whose root is not the filesystem's own ("/": a directory or
// file bound elsewhere, as /etc/hosts in a container) is skipped, and so is the same device
// mounted again (a whole filesystem bound elsewhere). Btrfs is the exception to the root
// rule: its subvolumes are mounted by root ("/@" for "/"), once per device all the same.
export function parseMountinfo(text: string): { device: string; mountPoint: string; type: string }[] {
  const seenDevices = new Set<string>();
  const seenPoints = new Set<string>();
  const mounts: { device: string; mountPoint: string; type: string }[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mount-point options [optional fields…] - type source super-options
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0) continue;
    const [deviceNumber, root, mountPoint] = [fields[2]!, unescape(fields[3]!), unescape(fields[4]!)];
    const [type, device] = [fields[separator + 1] ?? '', unescape(fields[separator + 2] ?? '')];
    if (!realFilesystems.has(type) || (root !== '/' && type !== 'btrfs')) continue;
    if (seenDevices.has(deviceNumber) || seenPoints.has(mountPoint)) continue;
    seenDevices.add(deviceNumber);
    seenPoints.add(mountPoint);
    mounts.push({ device, mountPoint, type });
  }
  return mounts;
}

// Paths in /proc's mount tables escape spaces and such as octal (\040).
function unescape(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

// How much a counter grew from `before` to `now`. A counter that went down wrapped around:
// at 2^32 when it was below it (32-bit counters of some drivers), else at 2^64.
export function getCounterDelta(before: number, now: number): number {
  if (now >= before) return now - before;
  const wrap = before < 2 ** 32 ? 2 ** 32 : 2 ** 64;
  return wrap - before + now;
}
