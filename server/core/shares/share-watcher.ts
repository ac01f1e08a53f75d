import type { ShareRule, ShareWatchBatch, ShareWatchFigures } from '../../native/native.ts';

// The watcher the shares service drives: the native share watcher's functions
// (SHARES-CONTRACT.md, server/native/share_watch.c; its types are native.ts's) as one object,
// so that the service is given one (the native one at core open; a test wraps it to see
// what the service asks).
export type { AclEntry, ShareRule, ShareWatchBatch, ShareWatchFigures } from '../../native/native.ts';

// A running watcher.
export interface ShareWatcher {
  setShareRule(rule: ShareRule, options: { repair: boolean }): void;
  removeShare(id: number): void;
  cancelShareRepair(id: number): void;
  setWatchBudget(max: number): void;
  getFigures(): ShareWatchFigures;
  stop(): void;
}

// Starts a watcher that reports its batches to `callback`.
export type StartShareWatcher = (callback: (batch: ShareWatchBatch) => void) => ShareWatcher;
