import type { StatAnswer } from '../../native/native.ts';
import { runDeviceReads } from './device-reads.ts';
import type { BlockDevice } from './read-block-devices.ts';

// What the file behind a loop device is now.
export interface BackingFile {
  // "major:minor" when it is a block device node (a loop over /dev/sda2), else null.
  rdev: string | null;
  // Its modification time ("sec.nsec"): a mkfs or e2label written to it while attached changes it.
  mtime: string;
}

// Reads the backing files of the loop devices with stat(2) on a native thread, with a
// deadline (device-reads.ts): a backing file on a FUSE or NFS mount that stopped answering
// leaves that thread stuck, never the daemon. While it is stuck the last answers are used.
export class BackingFiles {
  #last = new Map<string, BackingFile>();
  #stuck = false;

  async read(devices: BlockDevice[], timeoutMs: number): Promise<Map<string, BackingFile>> {
    const paths = [...new Set(devices.map((device) => device.loopFile).filter((file) => file?.startsWith('/')))];
    if (paths.length === 0 || this.#stuck) return this.#last;
    // One thread: a stat answers in microseconds, a thread more would cost more than it saves.
    const outcomes = await runDeviceReads(
      paths.map((path) => ['stat', path!]),
      timeoutMs,
      1,
    );
    const found = new Map<string, BackingFile>();
    outcomes.forEach((outcome, index) => {
      const path = paths[index]!;
      if (outcome.timeout) {
        this.#stuck = true;
        outcome.timeout.exited.then(() => {
          this.#stuck = false;
        });
        const last = this.#last.get(path);
        if (last) found.set(path, last);
        return;
      }
      const answer = outcome.answer as StatAnswer | null;
      if (answer) found.set(path, { rdev: answer.rdev ?? null, mtime: answer.mtime });
    });
    this.#last = found;
    return found;
  }
}
