// The group share watcher of licorn_native (share_watch.c).
#ifndef LICORN_SHARE_WATCH_H
#define LICORN_SHARE_WATCH_H
#include <node_api.h>

// Adds startShareWatch, setShareRule, removeShare, cancelShareRepair, getShareWatchFigures
// and stopShareWatch to the addon's exports.
void register_share_watch(napi_env env, napi_value exports);

#endif
