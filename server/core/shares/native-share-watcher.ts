import {
  cancelShareRepair,
  getShareWatchFigures,
  removeShare,
  setShareRule,
  setShareWatchBudget,
  startShareWatch,
  stopShareWatch,
} from '../../native/native.ts';
import type { StartShareWatcher } from './share-watcher.ts';

// The native share watcher (server/native/share_watch.c: one inotify instance on its own
// thread) as the shares service drives it.
export const startNativeShareWatcher: StartShareWatcher = (callback) => {
  const watch = startShareWatch(callback);
  let stopped = false;
  return {
    setShareRule: (rule, options) => setShareRule(watch, rule, options),
    removeShare: (id) => removeShare(watch, id),
    cancelShareRepair: (id) => cancelShareRepair(watch, id),
    setWatchBudget: (max) => setShareWatchBudget(watch, max),
    getFigures: () => getShareWatchFigures(watch),
    stop() {
      if (stopped) return;
      stopped = true;
      stopShareWatch(watch);
    },
  };
};
