// The reading of /sys/class/block in one call (sysfs_blocks.c).
#ifndef LICORN_SYSFS_BLOCKS_H
#define LICORN_SYSFS_BLOCKS_H
#include <node_api.h>

// Adds readSysfsBlocks to the addon's exports.
void register_sysfs_blocks(napi_env env, napi_value exports);

#endif
