// The volumes bench's loop devices: ext4 images made in a temporary directory and attached,
// detached again whatever happens (detachAll in a finally).
import { execFile } from 'node:child_process';
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Runs `task` on every item, `limit` at a time.
async function mapLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

// Loop devices this bench attached, by kernel name, with their image files.
export class LoopFleet {
  readonly attached = new Map<string, string>();
  constructor(readonly dir: string) {}

  // `count` ext4 images of 8 MiB labelled bench-01…, made two at a time (2 cores).
  async createImages(count: number): Promise<string[]> {
    const images = Array.from({ length: count }, (_, index) => join(this.dir, `bench-${index + 1}.img`));
    await mapLimited(images, 2, async (image) => {
      await writeFile(image, '');
      await truncate(image, 8 * 1024 * 1024);
      const label = image.replace(/^.*\/(bench-\d+)\.img$/, '$1');
      await run('mkfs.ext4', ['-q', '-F', '-L', label, image]);
    });
    return images;
  }

  // Attaches an image on the first free loop device; its kernel name.
  async attach(image: string): Promise<string> {
    const name = (await run('losetup', ['-f', '--show', image])).stdout.trim().replace('/dev/', '');
    this.attached.set(name, image);
    return name;
  }

  async detach(name: string): Promise<void> {
    await run('losetup', ['-d', `/dev/${name}`]);
    this.attached.delete(name);
  }

  // Detaches every device still attached; never throws (a bench's finally).
  async detachAll(): Promise<void> {
    for (const name of [...this.attached.keys()]) {
      await this.detach(name).catch((error) => process.stderr.write(`could not detach ${name}: ${error}\n`));
    }
  }
}

// Times `lsblk -J -o NAME,FSTYPE,LABEL,UUID,MOUNTPOINT,SIZE` (the baseline), in ms.
export async function timeLsblk(): Promise<number> {
  const started = performance.now();
  await run('lsblk', ['-J', '-o', 'NAME,FSTYPE,LABEL,UUID,MOUNTPOINT,SIZE'], { maxBuffer: 16 * 1024 * 1024 });
  return performance.now() - started;
}
