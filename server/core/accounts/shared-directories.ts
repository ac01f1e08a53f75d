import { chown, lstat, mkdir, chmod, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import type { DirectorySteps } from './directory-steps.ts';
import { archiveShareStep, moveDirectoryStep } from './home-disk.ts';
import { sharesBase } from './home-paths.ts';
import { applyShareAcls, isAclToolMissing, warnSharesWithoutAcl, type ShareGids } from './share-acls.ts';
import { say } from '../messages.ts';

const isRoot = process.getuid?.() === 0;

// Where a standard group's shared directory lives on the managed machine.
export function getSharePath(name: string): string {
  return `${sharesBase}/${name}`;
}

// Creates `home/groups/<name>`: setgid, owned by root and the `acl` group (as Licorn's
// shares were), closed to others, with Licorn's ACL for the group's roles, and sticky
// unless permissive (members delete and rename only their own files). A step of the group's
// transaction: removed again if the files are not written. A directory already there (left
// by an earlier group of that name, or made by hand) is refused, never taken over: its files
// would be re-ACLed and opened to the new group's members.
export async function createShare(
  root: string,
  steps: DirectorySteps,
  name: string,
  gids: ShareGids,
  options: { aclGid: number | null; permissive?: boolean },
): Promise<void> {
  const path = join(root, getSharePath(name));
  if (
    !(await lstat(join(root, sharesBase)).then(
      () => true,
      () => false,
    ))
  ) {
    const shares = join(root, sharesBase);
    await steps.run(
      'make the shares directory',
      () => mkdir(shares, { recursive: true }),
      () => rmdir(shares),
    );
  }
  if (
    await lstat(path).then(
      () => true,
      () => false,
    )
  ) {
    const message = say('shares.exists', { path: getSharePath(name) });
    throw new CoreError('already-exists', message, { field: 'name' });
  }
  await steps.run(
    `create the share ${name}`,
    async () => {
      await mkdir(path, { mode: 0o2770 });
      if (isRoot) await chown(path, 0, options.aclGid ?? 0);
      await chmod(path, options.permissive ? 0o2770 : 0o3770);
      await applyShareAcls(path, gids, options.permissive ?? false).catch((error: unknown) => {
        if (!isAclToolMissing(error)) throw error;
        warnSharesWithoutAcl();
      });
    },
    async () => {
      await rm(path, { recursive: true, force: true });
    },
  );
}

// Renames a share with its group (a step of the group's transaction).
export async function renameShare(
  root: string,
  steps: DirectorySteps,
  name: string,
  newName: string,
  field = 'name',
): Promise<void> {
  await moveDirectoryStep(root, steps, getSharePath(name), getSharePath(newName), field);
}

// Archives a deleted group's share like a deleted home: home/archives/<name>.deleted.<time>.
export async function archiveShare(root: string, steps: DirectorySteps, name: string): Promise<string | null> {
  return archiveShareStep(root, steps, getSharePath(name), name);
}
