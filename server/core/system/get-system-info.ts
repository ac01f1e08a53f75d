import { readFile } from 'node:fs/promises';
import os from 'node:os';

// What the dashboard says about the machine.
export interface SystemInfo {
  hostname: string;
  distribution: string;
  kernel: string;
  architecture: string;
  cpuModel: string;
  cpuCount: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  uptimeSeconds: number;
}

// Reads PRETTY_NAME from an os-release(5) text; null when absent.
export function parseOsRelease(text: string): string | null {
  const match = /^PRETTY_NAME=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))\s*$/m.exec(text);
  if (!match) return null;
  return (match[1]?.replace(/\\(.)/g, '$1') ?? match[2] ?? match[3] ?? '') || null;
}

// Reads MemAvailable (bytes) from a /proc/meminfo text; null when the kernel lacks it.
export function parseMemAvailable(text: string): number | null {
  const match = /^MemAvailable:\s+(\d+) kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : null;
}

// Gathers the machine's identity and size, reading only world-readable files.
export async function getSystemInfo(): Promise<SystemInfo> {
  const [osRelease, meminfo] = await Promise.all([
    readFile('/etc/os-release', 'utf8')
      .catch(() => readFile('/usr/lib/os-release', 'utf8'))
      .catch(() => ''),
    readFile('/proc/meminfo', 'utf8').catch(() => ''),
  ]);
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    distribution: parseOsRelease(osRelease) ?? `${os.type()} (unknown distribution)`,
    kernel: `${os.type()} ${os.release()}`,
    architecture: os.machine(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    memoryTotalBytes: os.totalmem(),
    memoryAvailableBytes: parseMemAvailable(meminfo) ?? os.freemem(),
    uptimeSeconds: Math.floor(os.uptime()),
  };
}
