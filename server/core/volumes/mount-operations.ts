import { constants } from 'node:fs';
import { access, lstat, mkdir, open, readdir, realpath, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import { chooseFreeName } from './mount-point-name.ts';
import { runTool } from './run-tool.ts';
import { say } from '../messages.ts';

// Makes sure the media directory exists and is a real directory reached without symlinks (a
// symlink planted at <root>/media would send mounts elsewhere), owned by licornd's user and
// writable by nobody else (who could swap a mount point for a symlink between our mkdir and
// the mount). Returns its device number.
export async function prepareMediaDir(mediaDir: string): Promise<number> {
  await mkdir(mediaDir, { recursive: true, mode: 0o755 });
  const info = await lstat(mediaDir);
  if (!info.isDirectory() || (await realpath(mediaDir)) !== mediaDir) {
    throw new CoreError('conflict', say('mounts.mediaNotDirectory', { dir: mediaDir }));
  }
  const owner = process.getuid?.() ?? 0;
  if (info.uid !== owner || (info.mode & 0o022) !== 0) {
    const mode = (info.mode & 0o7777).toString(8).padStart(4, '0');
    throw new CoreError('conflict', say('mounts.mediaOwner', { dir: mediaDir, owner, uid: info.uid, mode }));
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

// A mount point made and checked: `path` for messages, `dev` of the media directory.
export interface MountPoint {
  path: string;
  mediaDev: number;
}

// Picks and creates `<media>/<name>` (or `<name>-2`, …); `mounted` holds the mount points in
// use. A directory that appears between the check and the mkdir is somebody else's: refused.
// An empty one left over from an earlier mount is used again (mountDevice checks it anew).
export async function createMountPoint(mediaDir: string, baseName: string, mounted: Set<string>): Promise<MountPoint> {
  const mediaDev = await prepareMediaDir(mediaDir);
  const name = await chooseFreeName(baseName, (candidate) =>
    isFreeMountPoint(join(mediaDir, candidate), mediaDev, mounted),
  );
  const path = join(mediaDir, name);
  const existed = await lstat(path).then(
    () => true,
    () => false,
  );
  if (!existed) {
    await mkdir(path, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') {
        throw new CoreError('conflict', say('mounts.appeared', { path }));
      }
      throw error;
    });
  }
  return { path, mediaDev };
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
// The mount point is opened without following a symlink and checked (a directory of the
// media directory's filesystem, not a mount), then mounted through that open directory
// (/proc/self/fd/3, not canonicalized): a symlink swapped in after the check is never followed.
export async function mountDevice(
  device: string,
  fsType: string,
  options: string,
  target: MountPoint,
  timeoutMs: number,
): Promise<void> {
  const { path, mediaDev } = target;
  const flags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
  const handle = await open(path, flags).catch((error: NodeJS.ErrnoException) => {
    throw new CoreError('conflict', say('mounts.notDirectory', { path, code: error.code ?? '' }));
  });
  try {
    const info = await handle.stat();
    if (info.dev !== mediaDev) {
      throw new CoreError('conflict', say('mounts.otherFilesystem', { path }));
    }
    const args = ['--no-canonicalize', '-t', fsType, '-o', options, device, '/proc/self/fd/3'];
    const result = await runTool('mount', args, timeoutMs, [handle.fd]);
    if (result.code !== 0) {
      const reason = getToolReason(result.stderr, result.code);
      throw new CoreError('conflict', say('mounts.failed', { device, path, reason }), { field: 'name' });
    }
  } finally {
    await handle.close();
  }
}

// Unmounts a path; `lazy` detaches it now and lets the kernel finish when the last file closes.
export async function unmountPath(
  path: string,
  lazy: boolean,
  timeoutMs: number,
): Promise<{ ok: boolean; reason: string }> {
  const result = await runTool('umount', lazy ? ['-l', path] : [path], timeoutMs);
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
export async function detachDisk(name: string, isLoop: boolean, timeoutMs: number): Promise<void> {
  const device = `/dev/${name}`;
  if (isLoop) {
    const result = await runTool('losetup', ['-d', device], timeoutMs);
    if (result.code !== 0) {
      throw new CoreError(
        'conflict',
        say('mounts.detachFailed', { device, reason: getToolReason(result.stderr, result.code) }),
      );
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
  const result = await runTool('eject', [device], timeoutMs);
  if (result.code !== 0) {
    throw new CoreError(
      'conflict',
      say('mounts.ejectFailed', { device, reason: getToolReason(result.stderr, result.code) }),
    );
  }
}
