import type { BlockDevice } from './read-block-devices.ts';
import { runTool, ToolTimeoutError } from './run-tool.ts';

// What the file behind a loop device is now.
export interface BackingFile {
  // "major:minor" when it is a block device node (a loop over /dev/sda2), else null.
  rdev: string | null;
  // Its modification time: a mkfs or e2label written to it while attached changes it.
  mtime: string;
}

// Parses `stat --printf '%F|%t|%T|%.9Y\t%n\0'` (hex major and minor; names end at the NUL,
// the only byte a path cannot hold, so a name with a tab or a newline cannot mislead).
export function parseBackingStat(output: string): Map<string, BackingFile> {
  const result = new Map<string, BackingFile>();
  for (const record of output.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [type, major, minor, mtime] = record.slice(0, tab).split('|');
    if (!type || !major || !minor || !mtime) continue;
    const isBlock = type === 'block special file';
    const rdev = isBlock ? `${Number.parseInt(major, 16)}:${Number.parseInt(minor, 16)}` : null;
    result.set(record.slice(tab + 1), { rdev, mtime });
  }
  return result;
}

// Reads the backing files of the loop devices with one stat(1) for all of them, in a child
// with a deadline: a backing file on a FUSE or NFS mount that stopped answering leaves that
// child stuck, never the daemon. While it is stuck the last answers are used again.
export class BackingFiles {
  #last = new Map<string, BackingFile>();
  #stuck = false;

  async read(devices: BlockDevice[], timeoutMs: number): Promise<Map<string, BackingFile>> {
    const paths = [...new Set(devices.map((device) => device.loopFile).filter((file) => file?.startsWith('/')))];
    if (paths.length === 0 || this.#stuck) return this.#last;
    try {
      const result = await runTool(
        'stat',
        ['-L', '--printf', '%F|%t|%T|%.9Y\\t%n\\0', '--', ...(paths as string[])],
        timeoutMs,
      );
      this.#last = parseBackingStat(result.stdout);
    } catch (error) {
      if (!(error instanceof ToolTimeoutError)) throw error;
      this.#stuck = true;
      error.exited.then(() => {
        this.#stuck = false;
      });
    }
    return this.#last;
  }
}
