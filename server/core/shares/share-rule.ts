import { getShareAcl, type ShareGids } from '../accounts/share-acls.ts';
import type { AclEntry, ShareRule } from './share-watcher.ts';

const tags = {
  u: ['user-obj', 'user'],
  g: ['group-obj', 'group'],
  m: ['mask', 'mask'],
  o: ['other', 'other'],
} as const;

// One entry of setfacl's short form (`g:1001:r-x`, `u::rwx`, `m::rwx`) as the kernel's.
function parseAclEntry(text: string): AclEntry {
  const [kind, qualifier, perms] = text.split(':') as [keyof typeof tags, string, string];
  const perm = (perms[0] === 'r' ? 4 : 0) | (perms[1] === 'w' ? 2 : 0) | (perms[2] === 'x' ? 1 : 0);
  const [own, named] = tags[kind];
  return qualifier === '' ? { tag: own, perm } : { tag: named, perm, id: Number(qualifier) };
}

function parseAcl(spec: string): { access: AclEntry[]; inherited: AclEntry[] } {
  const access: AclEntry[] = [];
  const inherited: AclEntry[] = [];
  for (const entry of spec.split(',')) {
    if (entry.startsWith('d:')) inherited.push(parseAclEntry(entry.slice(2)));
    else access.push(parseAclEntry(entry));
  }
  return { access, inherited };
}

// The watcher's rule for a share: Licorn's ACL (share-acls.ts getShareAcl, the one
// description of it) in the kernel's terms. `id` is the group's GID: a rename keeps it.
export function getShareRule(id: number, path: string, gids: ShareGids, permissive: boolean): ShareRule {
  const acl = getShareAcl(gids, permissive);
  const directory = parseAcl(acl.directory);
  return {
    id,
    path,
    directoryAcl: directory.access,
    directoryDefaultAcl: directory.inherited,
    fileAcl: parseAcl(acl.file).access,
    executableFileAcl: parseAcl(acl.executable).access,
    sticky: !permissive,
  };
}
