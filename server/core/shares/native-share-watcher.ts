import * as native from '../../native/native.ts';
import type { StartShareWatcher } from './share-watcher.ts';

// The native share watcher (server/native/share_watch.c: one inotify instance on its own
// thread) as the shares service drives it.
export const startNativeShareWatcher: StartShareWatcher = (callback) => {
  const watch = native.startShareWatch(callback);
  let stopped = false;
  return {
    setShareRule: (rule, options) => native.setShareRule(watch, rule, options),
    removeShare: (id) => native.removeShare(watch, id),
    cancelShareRepair: (id) => native.cancelShareRepair(watch, id),
    getFigures: () => native.getShareWatchFigures(watch),
    stop() {
      if (stopped) return;
      stopped = true;
      native.stopShareWatch(watch);
    },
  };
};
