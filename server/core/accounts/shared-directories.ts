import { chown, mkdir, rename, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { archiveHome } from './homes.ts';
import { applyShareAcls, isAclToolMissing, warnSharesWithoutAcl, type ShareGids } from './share-acls.ts';

const isRoot = process.getuid?.() === 0;

// Where a standard group's shared directory lives on the managed machine.
export function getSharePath(name: string): string {
  return `/home/groups/${name}`;
}

// Creates `home/groups/<name>`: setgid, owned by root and the `acl` group (as Licorn's
// shares were), closed to others, with Licorn's ACL for the group's roles, and sticky
// unless permissive (members delete and rename only their own files).
export async function createShare(root: string, name: string, gids: ShareGids, options: { aclGid: number | null; permissive?: boolean }): Promise<void> {
  const path = join(root, getSharePath(name));
  await mkdir(join(root, 'home/groups'), { recursive: true });
  await mkdir(path, { mode: 0o2770 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  if (isRoot) await chown(path, 0, options.aclGid ?? 0);
  await chmod(path, options.permissive ? 0o2770 : 0o3770);
  await applyShareAcls(path, gids, options.permissive ?? false).catch((error: unknown) => {
    if (!isAclToolMissing(error)) throw error;
    warnSharesWithoutAcl();
  });
}

// Renames a share with its group.
export async function renameShare(root: string, name: string, newName: string): Promise<void> {
  await rename(join(root, getSharePath(name)), join(root, getSharePath(newName))).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

// Archives a deleted group's share like a deleted home: home/archives/<name>.deleted.<time>.
export async function archiveShare(root: string, name: string): Promise<string | null> {
  return archiveHome(root, getSharePath(name), name);
}
