import { execFile } from 'node:child_process';
import { mkdir, open, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The demo's two volumes: small image files in the sandbox, made once, attached as loop
// devices while the demo runs, so that the Volumes page has something it may mount, unmount
// and eject beside the machine's own disks (which a sandbox shows read-only).
export const demoImages = [
  { file: 'archives.img', label: 'Archives', mkfs: ['mkfs.ext4', '-q', '-F', '-L', 'Archives'] },
  { file: 'usb-key.img', label: 'USB-KEY', mkfs: ['mkfs.vfat', '-n', 'USB-KEY'] },
] as const;

// Size of each image: the smallest an ext4 with a journal takes without complaint.
const imageBytes = 16 * 1024 * 1024;

// Where the images live: `<root>/var/lib/licorn/demo-volumes/`.
export function getDemoImageDir(root: string): string {
  return join(root, 'var/lib/licorn/demo-volumes');
}

// The demo's attached loop devices, and how to let them go.
export interface DemoVolumes {
  // `/dev/loopN` of each image, in demoImages' order.
  devices: string[];
  // Unmounts what is mounted from them, then detaches them (at the daemon's stop).
  detach(): Promise<void>;
}

// Why the demo attaches no volume here, or null when it can (root, with losetup and mkfs).
export function getDemoVolumesRefusal(): string | null {
  if (process.getuid?.() !== 0) return 'the demo runs without root: it cannot attach loop devices';
  return null;
}

// Whether `/dev/loopN` still reads `file`: an ejected loop may since have been attached by
// someone else to another file, and is then not ours to unmount or detach.
async function isLoopOf(device: string, file: string): Promise<boolean> {
  const name = device.slice('/dev/'.length);
  const backing = await readFile(`/sys/class/block/${name}/loop/backing_file`, 'utf8').catch(() => '');
  // The kernel appends " (deleted)" once the image is removed (a demo reset): still ours.
  return backing.trim().replace(/ \(deleted\)$/, '') === file;
}

// The loop devices already reading `file` (a previous run that was killed left them).
async function findLoops(file: string): Promise<string[]> {
  const { stdout } = await run('losetup', ['--associated', file, '--output', 'NAME', '--noheadings', '--list']);
  return stdout.split('\n').filter((line) => line.startsWith('/dev/loop'));
}

// Makes the image with its filesystem, once: written beside and renamed would change
// nothing here (a half-made image is simply made again: mkfs runs on every new file).
async function createImage(path: string, mkfs: readonly string[]): Promise<void> {
  const exists = await stat(path).then(
    (info) => info.size === imageBytes,
    () => false,
  );
  if (exists) return;
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.truncate(imageBytes);
  } finally {
    await handle.close();
  }
  const [command, ...args] = mkfs;
  await run(command!, [...args, path]);
}

// The mount points of `device` in /proc/self/mountinfo (field 10 is the source), deepest
// first; octal escapes (`\040` for a space) decoded.
async function getMountPoints(device: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const decode = (value: string) =>
    value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length > 9 && decode(fields[fields.indexOf('-') + 2] ?? '') === device)
    .map((fields) => decode(fields[4]!))
    .reverse();
}

// Makes the demo's images (when missing) and attaches them as loop devices (or takes back
// the ones a killed run left attached). Needs root; the caller asks getDemoVolumesRefusal.
export async function attachDemoVolumes(root: string): Promise<DemoVolumes> {
  const dir = getDemoImageDir(root);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const devices: string[] = [];
  const files: string[] = [];
  const detach = async () => {
    for (const [index, device] of devices.entries()) {
      if (!(await isLoopOf(device, files[index]!))) continue;
      for (const mountPoint of await getMountPoints(device)) {
        await run('umount', ['--lazy', mountPoint]).catch(() => {});
      }
      // A loop still held by something is detached when it lets go (the kernel's autoclear).
      await run('losetup', ['--detach', device]).catch(() => {});
    }
    devices.length = 0;
    files.length = 0;
  };
  try {
    for (const image of demoImages) {
      await createImage(join(dir, image.file), image.mkfs);
      // As the kernel names the backing file: symbolic links resolved.
      const path = await realpath(join(dir, image.file));
      const [attached] = await findLoops(path);
      devices.push(attached ?? (await run('losetup', ['--find', '--show', path])).stdout.trim());
      files.push(path);
    }
  } catch (error) {
    await detach();
    throw error;
  }
  return { devices: [...devices], detach };
}
