import { getShareRuleAcls, type ShareGids } from '../accounts/share-acls.ts';
import type { ShareRule } from './share-watcher.ts';

// The watcher's rule for a share: Licorn's rule (share-acls.ts getShareRuleAcls, the one
// description of it) for the share at `path`. `id` is the group's GID: a rename keeps it.
export function getShareRule(id: number, path: string, gids: ShareGids, permissive: boolean): ShareRule {
  return { id, path, ...getShareRuleAcls(gids, permissive) };
}
