import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { lstat, open, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AclEntry, ShareRule } from '../../native/native.ts';
import { CoreError } from '../errors.ts';
import { type CoreMessage, quoted, renderMessage, say } from '../messages.ts';

const run = promisify(execFile);

// The groups a share's ACL names, by GID (numeric: a sandbox's groups are unknown to the
// machine's NSS, so names would not resolve).
export interface ShareGids {
  group: number;
  responsibles: number;
  guests: number;
  admins: number | null;
}

// Licorn's rule for everything inside a standard group's share (REFERENCE.md, "Groups and
// roles"): guests read, responsibles and admins read and write everything, members read
// everything and write their own files, or every file when the group is permissive.
// Directories also carry the default ACL new files and directories inherit. An executable
// file (its owner may run it) keeps execute for those who may read it. Directories of a
// share that is not permissive are sticky (see setSticky). The one description of the rule:
// setfacl gets it as text (getShareAcl), the native share watcher as entries.
export function getShareRuleAcls(gids: ShareGids, permissive: boolean): Omit<ShareRule, 'id' | 'path'> {
  const rwx = 7;
  const rx = 5;
  const entries = (owner: number, named: [number | null, number][], mask: number): AclEntry[] => [
    { tag: 'user-obj', perm: owner },
    { tag: 'group-obj', perm: 0 },
    { tag: 'other', perm: 0 },
    ...mergeSameGids(named),
    { tag: 'mask', perm: mask },
  ];
  const directory = (member: number) =>
    entries(
      rwx,
      [
        [gids.admins, rwx],
        [gids.guests, rx],
        [gids.responsibles, rwx],
        [gids.group, member],
      ],
      rwx,
    );
  // Execute is kept from the file's owner bit (x = 1 or 0).
  const file = (x: number) =>
    entries(
      6 | x,
      [
        [gids.admins, 6 | x],
        [gids.guests, 4 | x],
        [gids.responsibles, 6 | x],
        [gids.group, (permissive ? 6 : 4) | x],
      ],
      6 | x,
    );
  return {
    directoryAcl: directory(rwx),
    directoryDefaultAcl: directory(permissive ? rwx : rx),
    fileAcl: file(0),
    executableFileAcl: file(1),
    sticky: !permissive,
  };
}

// One named entry per GID, with the widest of its perms: GIDs shared by hand in /etc/group (a helper group with
// the group's or admins' GID is legal there) would name one twice, which no ACL may.
function mergeSameGids(named: [number | null, number][]): AclEntry[] {
  const perms = new Map<number, number>();
  for (const [id, perm] of named) if (id !== null) perms.set(id, (perms.get(id) ?? 0) | perm);
  return [...perms].map(([id, perm]) => ({ tag: 'group' as const, id, perm }));
}

const tagLetters: Record<AclEntry['tag'], string> = {
  'user-obj': 'u:',
  user: 'u:',
  'group-obj': 'g:',
  group: 'g:',
  mask: 'm:',
  other: 'o:',
};

// Writes entries as setfacl reads them: `g:1003:r-x,m::rwx`.
function formatAcl(entries: AclEntry[], prefix = ''): string[] {
  const perms = (perm: number) => `${perm & 4 ? 'r' : '-'}${perm & 2 ? 'w' : '-'}${perm & 1 ? 'x' : '-'}`;
  return entries.map((entry) => `${prefix}${tagLetters[entry.tag]}${entry.id ?? ''}:${perms(entry.perm)}`);
}

// The share's rule as setfacl --set specs: directories (their access and default ACLs),
// files, executable files.
export function getShareAcl(
  gids: ShareGids,
  permissive: boolean,
): { directory: string; file: string; executable: string } {
  const rule = getShareRuleAcls(gids, permissive);
  return {
    directory: [...formatAcl(rule.directoryAcl), ...formatAcl(rule.directoryDefaultAcl, 'd:')].join(','),
    file: formatAcl(rule.fileAcl).join(','),
    executable: formatAcl(rule.executableFileAcl).join(','),
  };
}

// How many paths one setfacl call gets (far below the argument limit).
const pathsPerCall = 500;

// Sets the share's ACL on `share` and everything in it, and the sticky bit on its
// directories unless permissive. Symlinks are never followed (nor given an ACL: setfacl
// would change their target, maybe outside the share).
export async function applyShareAcls(share: string, gids: ShareGids, permissive: boolean): Promise<void> {
  const acl = getShareAcl(gids, permissive);
  const directories = [share];
  const files: string[] = [];
  const executables: string[] = [];
  for (let index = 0; index < directories.length; index += 1) {
    for await (const entry of await opendir(directories[index]!)) {
      const path = join(directories[index]!, entry.name);
      if (entry.isDirectory()) directories.push(path);
      else if (entry.isFile()) ((await lstat(path)).mode & 0o100 ? executables : files).push(path);
    }
  }
  for (const [paths, spec] of [
    [directories, acl.directory],
    [files, acl.file],
    [executables, acl.executable],
  ] as const) {
    for (let start = 0; start < paths.length; start += pathsPerCall) {
      await setAcl(spec, paths.slice(start, start + pathsPerCall));
    }
  }
  for (const directory of directories) await setSticky(directory, !permissive);
}

// Sets the share's own directory to the ACL and sticky bit of its rule (permissive or not),
// not what is inside: how a permissive switch is recorded in its transaction (the share's
// default ACL is where the flag is read). The tree follows in the background (the shares
// service's repair, through the watcher).
export async function applyShareDirectoryAcl(share: string, gids: ShareGids, permissive: boolean): Promise<void> {
  await setAcl(getShareAcl(gids, permissive).directory, [share]);
  await setSticky(share, !permissive);
}

// Members have `w` on the share's directories, which alone would let them delete or replace
// anyone's file: the sticky bit keeps deletes and renames to a file's owner (and root), so
// that "members write their own files" holds for them too. The directory is opened without
// following a symlink (it may have been swapped for one since it was listed); the mode's
// group bits are the ACL's mask and are kept.
async function setSticky(directory: string, sticky: boolean): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    const mode = (await handle.stat()).mode & 0o7777;
    const wanted = sticky ? mode | 0o1000 : mode & ~0o1000;
    if (wanted !== mode) await handle.chmod(wanted);
  } finally {
    await handle.close();
  }
}

// Whether a share is permissive: the `w` of its group in the default ACL (Licorn stores
// the flag nowhere else). Null when the share has no Licorn ACL (made elsewhere, or on a
// filesystem without ACLs).
export async function readSharePermissive(share: string, gid: number): Promise<boolean | null> {
  let text: string;
  try {
    ({ stdout: text } = await run('getfacl', ['--numeric', '--omit-header', '--absolute-names', '--', share]));
  } catch (error) {
    if (isMissingTool(error, 'getfacl')) warnMissingTool('getfacl');
    return null;
  }
  const line = text.split('\n').find((candidate) => candidate.startsWith(`default:group:${gid}:`));
  return line ? line.split(':')[3]!.includes('w') : null;
}

// A copy of the ACLs, modes and setgid/sticky flags of a share and everything in it (`getfacl -R`,
// symlinks skipped; only the share's own directory when not `recursive`), for restoreShareAcls to
// put back exactly: how a change of the share's ACL is undone when its transaction does not commit.
export async function saveShareAcls(share: string, options: { recursive?: boolean } = {}): Promise<string> {
  try {
    const recursive = options.recursive === false ? [] : ['--recursive', '--physical'];
    const args = [...recursive, '--numeric', '--absolute-names', '--', share];
    return (await run('getfacl', args, { maxBuffer: 1 << 30 })).stdout;
  } catch (error) {
    const detail = isMissingTool(error, 'getfacl')
      ? sayMissingTool('getfacl')
      : ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n')[0];
    const message = say('shares.aclRead', { detail: detail ?? '' });
    throw new CoreError('internal-error', message, { field: 'permissive', cause: error });
  }
}

// Puts back what saveShareAcls read (`setfacl --restore`: ACLs, modes and flags).
export async function restoreShareAcls(saved: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('setfacl', ['--restore=-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`setfacl --restore failed: ${stderr.trim()}`));
    });
    child.stdin.end(saved);
  });
}

async function setAcl(spec: string, paths: string[]): Promise<void> {
  try {
    await run('setfacl', ['--set', spec, '--', ...paths]);
  } catch (error) {
    if (isMissingTool(error, 'setfacl'))
      throw new CoreError('internal-error', sayMissingTool('setfacl'), {
        field: 'permissive',
        cause: error,
      });
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n')[0];
    throw new CoreError('internal-error', say('shares.aclSet', { detail: detail ?? '' }), {
      field: 'permissive',
      cause: error,
    });
  }
}

function isMissingTool(error: unknown, tool: string): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' && (error as { path?: string }).path === tool;
}

function sayMissingTool(tool: string): CoreMessage {
  return say('shares.missingTool', { tool, package: quoted('acl') });
}

// The same in English (the daemon's warning).
function missingToolMessage(tool: string): string {
  return renderMessage(sayMissingTool(tool), 'en');
}

let warned = false;
function warnMissingTool(tool: string): void {
  if (!warned) process.emitWarning(missingToolMessage(tool));
  warned = true;
}

// Whether setfacl can be run here. Without it (the "acl" package is not installed) shares
// are made without Licorn's ACL, with one warning, rather than not at all: the demo must
// start on a machine without it.
export function isAclToolMissing(error: unknown): boolean {
  return error instanceof CoreError && isMissingTool(error.cause, 'setfacl');
}

// Says once that shares go without their ACL.
export function warnSharesWithoutAcl(): void {
  warnMissingTool('setfacl');
}
