import { emptyProbe, type FilesystemProbe, parseBlkidUdev } from './parse-blkid.ts';
import { type BackingFile, BackingFiles } from './read-backing-files.ts';
import type { BlockDevice } from './read-block-devices.ts';
import { mapLimited, runTool } from './run-tool.ts';
import type { UnresponsiveDevices } from './unresponsive-devices.ts';

// blkid processes running at once: enough to hide each one's latency, few enough for 2 cores.
const probeConcurrency = 4;

// Probes a device's content with libblkid (`-p`: reads the superblocks, needs no udev and no
// cache). Exit code 2 means nothing recognised; an unreadable device (not root) gives nothing.
// A blkid that misses its deadline throws (ToolTimeoutError).
export async function probeFilesystem(device: string, timeoutMs: number): Promise<FilesystemProbe> {
  const result = await runTool('blkid', ['-p', '-o', 'udev', device], timeoutMs);
  if (result.code !== 0) return emptyProbe;
  return parseBlkidUdev(result.stdout);
}

// What identifies a device's content without reading it: a re-attached loop device or a new
// medium changes its diskseq, size or backing file, a mkfs or e2label on a loop's backing
// file its modification time; a filesystem made in place on a device does not (the watcher
// then names the device in its refresh hint).
function getProbeKey(device: BlockDevice, backing: BackingFile | undefined): string {
  return [device.dev, device.size, device.diskseq ?? '', device.loopFile ?? '', backing?.mtime ?? ''].join('|');
}

// Remembers each device's probe and re-runs blkid only for new or changed devices, or those
// named. A device whose blkid is stuck keeps its last probe (none if it never answered).
export class ProbeCache {
  readonly #entries = new Map<string, { key: string; probe: FilesystemProbe }>();
  readonly #backingFiles = new BackingFiles();
  readonly #unresponsive: UnresponsiveDevices;
  readonly #timeoutMs: number;
  #backing = new Map<string, BackingFile>();

  constructor(unresponsive: UnresponsiveDevices, timeoutMs: number) {
    this.#unresponsive = unresponsive;
    this.#timeoutMs = timeoutMs;
  }

  async probeAll(devices: BlockDevice[], force: ReadonlySet<string>): Promise<Map<string, FilesystemProbe>> {
    this.#backing = await this.#backingFiles.read(devices, this.#timeoutMs);
    const getKey = (device: BlockDevice) => getProbeKey(device, this.getBackingFile(device));
    const stale = devices.filter(
      (device) => force.has(device.name) || this.#entries.get(device.name)?.key !== getKey(device),
    );
    await mapLimited(stale, probeConcurrency, async (device) => {
      const probe = await this.#unresponsive
        .run(device.name, () => probeFilesystem(`/dev/${device.name}`, this.#timeoutMs))
        .catch(() => null);
      if (probe) this.#entries.set(device.name, { key: getKey(device), probe });
    });
    const present = new Set(devices.map((device) => device.name));
    for (const name of this.#entries.keys()) if (!present.has(name)) this.#entries.delete(name);
    return new Map(devices.map((device) => [device.name, this.#entries.get(device.name)?.probe ?? emptyProbe]));
  }

  // The loop device's backing file as last read, if it is one.
  getBackingFile(device: BlockDevice): BackingFile | undefined {
    return device.loopFile ? this.#backing.get(device.loopFile) : undefined;
  }
}
