// The block device and mount watcher of licorn_native (block_watch.c).
#ifndef LICORN_BLOCK_WATCH_H
#define LICORN_BLOCK_WATCH_H
#include <node_api.h>

// Adds watchBlockDevices and stopBlockWatch to the addon's exports.
void register_block_watch(napi_env env, napi_value exports);

#endif
