import { access, lstat, mkdir, readdir, realpath, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import { chooseFreeName } from './mount-point-name.ts';
import { runTool } from './run-tool.ts';

// Makes sure the media directory exists and is a real directory reached without symlinks (a
// symlink planted at <root>/media would send mounts elsewhere). Returns its device number.
export async function prepareMediaDir(mediaDir: string): Promise<number> {
  await mkdir(mediaDir, { recursive: true, mode: 0o755 });
  const info = await lstat(mediaDir);
  if (!info.isDirectory() || (await realpath(mediaDir)) !== mediaDir) {
    throw new CoreError('conflict', `The media directory ${mediaDir} is not a plain directory (a symlink?)`);
  }
  return info.dev;
}

// Whether `path` may become a mount point: absent, or an empty plain directory that is not
// itself a mount point (left over from an earlier mount). A symlink, a file or a non-empty
// directory is somebody else's and is never used.
async function isFreeMountPoint(path: string, mediaDev: number, mounted: Set<string>): Promise<boolean> {
  if (mounted.has(path)) return false;
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!info) return true;
  if (!info.isDirectory() || info.dev !== mediaDev) return false;
  return (await readdir(path)).length === 0;
}

// Picks and creates `<media>/<name>` (or `<name>-2`, …); `mounted` holds the mount points in use.
export async function createMountPoint(mediaDir: string, baseName: string, mounted: Set<string>): Promise<string> {
  const mediaDev = await prepareMediaDir(mediaDir);
  const name = await chooseFreeName(baseName, (candidate) =>
    isFreeMountPoint(join(mediaDir, candidate), mediaDev, mounted),
  );
  const path = join(mediaDir, name);
  await mkdir(path, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return path;
}

// Removes a mount point Licorn made once nothing is mounted there (an rmdir: never a tree).
export async function removeMountPoint(path: string): Promise<void> {
  await rmdir(path).catch(() => {});
}

// The kernel's or mount's own words for a failure, one line.
function getToolReason(stderr: string, code: number): string {
  return (
    stderr
      .trim()
      .split('\n')[0]
      ?.replace(/^(u?mount|losetup|eject): /, '') || `exit code ${code}`
  );
}

// Mounts with util-linux's mount(8) rather than mount(2) from the addon: it runs the helpers
// some filesystems need (mount.ntfs-3g, mount.exfat-fuse), records nothing in /etc/mtab
// we would have to, and its errors name the cause (unknown filesystem type, bad option).
export async function mountDevice(device: string, fsType: string, options: string, path: string): Promise<void> {
  const result = await runTool('mount', ['-t', fsType, '-o', options, device, path]);
  if (result.code !== 0) {
    throw new CoreError('conflict', `Cannot mount ${device} on ${path}: ${getToolReason(result.stderr, result.code)}`, {
      field: 'name',
    });
  }
}

// Unmounts a path; `lazy` detaches it now and lets the kernel finish when the last file closes.
export async function unmountPath(path: string, lazy: boolean): Promise<{ ok: boolean; reason: string }> {
  const result = await runTool('umount', lazy ? ['-l', path] : [path]);
  return { ok: result.code === 0, reason: getToolReason(result.stderr, result.code) };
}

// The kernel detaches a loop device still open elsewhere (a blkid probing it) when the last
// user closes it: wait a little for that, so that the reading after eject sees it gone.
async function waitForLoopRelease(name: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    if (
      !(await access(`/sys/class/block/${name}/loop/backing_file`).then(
        () => true,
        () => false,
      ))
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Detaches a loop device, or powers off a removable disk (sysfs `delete` where the driver has
// one: USB and SCSI disks; else eject(1), which also opens a CD tray).
export async function detachDisk(name: string, isLoop: boolean): Promise<void> {
  const device = `/dev/${name}`;
  if (isLoop) {
    const result = await runTool('losetup', ['-d', device]);
    if (result.code !== 0) {
      throw new CoreError('conflict', `Cannot detach ${device}: ${getToolReason(result.stderr, result.code)}`);
    }
    await waitForLoopRelease(name);
    return;
  }
  const deleteFile = `/sys/block/${name}/device/delete`;
  if (
    await access(deleteFile).then(
      () => true,
      () => false,
    )
  ) {
    await writeFile(deleteFile, '1');
    return;
  }
  const result = await runTool('eject', [device]);
  if (result.code !== 0) {
    throw new CoreError('conflict', `Cannot eject ${device}: ${getToolReason(result.stderr, result.code)}`);
  }
}
