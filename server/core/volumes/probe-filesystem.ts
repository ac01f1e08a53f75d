import { emptyProbe, type FilesystemProbe, parseBlkidUdev } from './parse-blkid.ts';
import type { BlockDevice } from './read-block-devices.ts';
import { mapLimited, runTool } from './run-tool.ts';

// blkid processes running at once: enough to hide each one's latency, few enough for 2 cores.
const probeConcurrency = 4;

// Probes a device's content with libblkid (`-p`: reads the superblocks, needs no udev and no
// cache). Exit code 2 means nothing recognised; an unreadable device (not root) gives nothing.
export async function probeFilesystem(device: string): Promise<FilesystemProbe> {
  const result = await runTool('blkid', ['-p', '-o', 'udev', device], 10_000).catch(() => null);
  if (!result || result.code !== 0) return emptyProbe;
  return parseBlkidUdev(result.stdout);
}

// What identifies a device's content without reading it: a re-attached loop device or a new
// medium changes its diskseq, size or backing file; a filesystem made in place does not (the
// watcher then names the device in its refresh hint).
function getProbeKey(device: BlockDevice): string {
  return [device.dev, device.size, device.diskseq ?? '', device.loopFile ?? ''].join('|');
}

// Remembers each device's probe and re-runs blkid only for new or changed devices, or those named.
export class ProbeCache {
  readonly #entries = new Map<string, { key: string; probe: FilesystemProbe }>();

  async probeAll(devices: BlockDevice[], force: ReadonlySet<string>): Promise<Map<string, FilesystemProbe>> {
    const stale = devices.filter(
      (device) => force.has(device.name) || this.#entries.get(device.name)?.key !== getProbeKey(device),
    );
    await mapLimited(stale, probeConcurrency, async (device) => {
      const probe = await probeFilesystem(`/dev/${device.name}`);
      this.#entries.set(device.name, { key: getProbeKey(device), probe });
    });
    const present = new Set(devices.map((device) => device.name));
    for (const name of this.#entries.keys()) if (!present.has(name)) this.#entries.delete(name);
    return new Map(devices.map((device) => [device.name, this.#entries.get(device.name)!.probe]));
  }
}
