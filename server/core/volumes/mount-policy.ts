// Licorn's mount policy: which filesystems it mounts and with which options.
import { type CoreMessage, quoted, say } from '../messages.ts';

// Filesystems Licorn mounts by default: the ones that keep Unix owners, modes and ACLs.
export const licornFilesystems = ['ext2', 'ext3', 'ext4', 'btrfs', 'xfs', 'jfs', 'reiserfs'] as const;

// End-user filesystems (USB keys, cards, discs): no Unix owners, so every file is given to
// one account (volumes.enduser_owner).
export const endUserFilesystems = ['vfat', 'exfat', 'ntfs', 'iso9660', 'udf'] as const;

// Options per filesystem, as Licorn used them. `nodev` everywhere: a device node on a plugged
// disk must never open the machine's devices. The end-user ones get uid/gid added. The
// `suid` of Licorn's own filesystems is kept only for trusted mounts (isTrustedMount).
const optionsByType: Record<string, string> = {
  ext2: 'acl,user_xattr,noatime,errors=remount-ro,nodev,suid,exec',
  ext3: 'acl,user_xattr,noatime,errors=remount-ro,nodev,suid,exec',
  ext4: 'acl,user_xattr,noatime,errors=remount-ro,nodev,suid,exec',
  // xfs and reiserfs know no errors= option (mount fails with it), and xfs always has
  // ACLs and xattrs (no such options either): what is left of Licorn's line for them.
  xfs: 'noatime,nodev,suid,exec',
  jfs: 'noatime,errors=remount-ro,nodev,suid,exec',
  reiserfs: 'acl,user_xattr,noatime,nodev,suid,exec',
  btrfs: 'noatime,nodev,suid,exec',
  vfat: 'shortname=mixed,dmask=0077,utf8=1,showexec,nodev,nosuid',
  exfat: 'dmask=0077,fmask=0177,nodev,nosuid',
  ntfs: 'dmask=0077,fmask=0177,nodev,nosuid',
  iso9660: 'iocharset=utf8,mode=0400,dmode=0500,nodev,nosuid',
  udf: 'iocharset=utf8,umask=0077,nodev,nosuid',
};

// Content blkid reports that is never mounted whatever the settings (swap, RAID members,
// LVM physical volumes, encrypted containers): mounting them is meaningless or destructive.
export function isMountableUsage(usage: string | null): boolean {
  return usage === 'filesystem';
}

// Whether Licorn mounts this filesystem type, under `mount_all_fs` or not; a reason if not.
export function getMountRefusal(fsType: string | null, usage: string | null, mountAllFs: boolean): CoreMessage | null {
  if (!fsType) return say('volumes.reason.noFilesystem');
  if (!isMountableUsage(usage)) return say('volumes.reason.notFilesystem', { fsType });
  // The type goes to mount -t: only a plain name (blkid's are), never an option or a list.
  if (!/^[a-z0-9_]{1,32}$/.test(fsType)) return say('volumes.reason.badType', { fsType: quoted(fsType) });
  if ((licornFilesystems as readonly string[]).includes(fsType)) return null;
  if (mountAllFs) return null;
  return say('volumes.reason.notLicorn', { fsType, list: licornFilesystems.join(', ') });
}

export function isEndUserFilesystem(fsType: string): boolean {
  return (endUserFilesystems as readonly string[]).includes(fsType);
}

// Whether a mount may keep Licorn's `suid` (old Licorn mounted its filesystems suid,exec):
// only an admin's explicit mount of a fixed disk. A removable disk, a loop device (an image
// file anyone may have made) or anything auto-mounted with no click may carry a setuid-root
// program, which would give root to every local user: those get nosuid (red team's M5).
export function isTrustedMount(
  volume: { name: string; removable: boolean; loopFile: string | null },
  diskLoopFile: string | null,
  explicit: boolean,
): boolean {
  return (
    explicit && !volume.removable && volume.loopFile === null && diskLoopFile === null && !/^loop/.test(volume.name)
  );
}

// The `-o` argument for a filesystem; `owner` is the account end-user filesystems belong to;
// `trusted` (isTrustedMount) keeps `suid`, else it becomes `nosuid`.
export function getMountOptions(fsType: string, owner: { uid: number; gid: number }, trusted = false): string {
  // Other types under mount_all_fs: only the safe flags, the kernel's defaults for the rest.
  const known = optionsByType[fsType] ?? 'nodev,nosuid';
  const base = trusted ? known : known.replace(/(^|,)suid(?=,|$)/, '$1nosuid');
  return isEndUserFilesystem(fsType) ? `${base},uid=${owner.uid},gid=${owner.gid}` : base;
}
