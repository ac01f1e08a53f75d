import type { ProbeAnswer } from '../../native/native.ts';
import { runDeviceReads } from './device-reads.ts';
import { emptyProbe, type FilesystemProbe, parseProbeAnswer } from './parse-blkid.ts';
import { type BackingFile, BackingFiles } from './read-backing-files.ts';
import type { BlockDevice } from './read-block-devices.ts';
import type { UnresponsiveDevices } from './unresponsive-devices.ts';

// What identifies a device's content without reading it: a re-attached loop device or a new
// medium changes its diskseq, size or backing file, a mkfs or e2label on a loop's backing
// file its modification time; a filesystem made in place on a device does not (the watcher
// then names the device in its refresh hint).
function getProbeKey(device: BlockDevice, backing: BackingFile | undefined): string {
  return [device.dev, device.size, device.diskseq ?? '', device.loopFile ?? '', backing?.mtime ?? ''].join('|');
}

// Remembers each device's probe and probes again only new or changed devices, or those named:
// all of them in one batch of libblkid probes in-process (device-reads.ts: no process per
// device, a deadline per device). A device whose probe is stuck keeps its last probe (none if
// it never answered) and is not probed again until the stuck read has ended.
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
      (device) =>
        (force.has(device.name) || this.#entries.get(device.name)?.key !== getKey(device)) &&
        this.#unresponsive.getReason(device.name) === null,
    );
    const outcomes = await runDeviceReads(
      stale.map((device) => ['probe', `/dev/${device.name}`]),
      this.#timeoutMs,
    );
    await Promise.all(
      stale.map(async (device, index) => {
        const outcome = outcomes[index]!;
        // Through the unresponsive devices: a missed deadline marks the device until its read ends.
        const probe = await this.#unresponsive
          .run(device.name, async () => {
            if (outcome.timeout) throw outcome.timeout;
            return parseProbeAnswer(outcome.answer as ProbeAnswer | null);
          })
          .catch(() => null);
        if (probe) this.#entries.set(device.name, { key: getKey(device), probe });
      }),
    );
    const present = new Set(devices.map((device) => device.name));
    for (const name of this.#entries.keys()) if (!present.has(name)) this.#entries.delete(name);
    return new Map(devices.map((device) => [device.name, this.#entries.get(device.name)?.probe ?? emptyProbe]));
  }

  // The loop device's backing file as last read, if it is one.
  getBackingFile(device: BlockDevice): BackingFile | undefined {
    return device.loopFile ? this.#backing.get(device.loopFile) : undefined;
  }
}
