// The watcher the shares service drives: exactly the native share watcher's interface
// (SHARES-CONTRACT.md, server/native/share_watch.c), as an object so that the service is
// given one (the native one at core open).

// One POSIX ACL entry as the kernel stores it (posix_acl_xattr_entry); `id` for user/group.
export interface AclEntry {
  tag: 'user-obj' | 'user' | 'group-obj' | 'group' | 'mask' | 'other';
  perm: number;
  id?: number;
}

// What everything inside one share must carry (REFERENCE.md "Groups and roles").
export interface ShareRule {
  id: number;
  path: string;
  directoryAcl: AclEntry[];
  directoryDefaultAcl: AclEntry[];
  fileAcl: AclEntry[];
  executableFileAcl: AclEntry[];
  sticky: boolean;
}

// What the watcher thread reports, at most every 50 ms.
export interface ShareWatchBatch {
  progress: { id: number; scanned: number; fixed: number; done: boolean; cancelled: boolean }[];
  fixed: number;
  overflows: number;
  errors: { id: number; path: string; message: string }[];
}

// The watcher's figures for the daemon's status.
export interface ShareWatchFigures {
  watches: number;
  queued: number;
  overflows: number;
  fixed: number;
  scanning: number;
}

// A running watcher.
export interface ShareWatcher {
  setShareRule(rule: ShareRule, options: { repair: boolean }): void;
  removeShare(id: number): void;
  cancelShareRepair(id: number): void;
  getFigures(): ShareWatchFigures;
  stop(): void;
}

// Starts a watcher that reports its batches to `callback`.
export type StartShareWatcher = (callback: (batch: ShareWatchBatch) => void) => ShareWatcher;
