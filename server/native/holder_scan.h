// The holder scan of licorn_native (holder_scan.c).
#ifndef LICORN_HOLDER_SCAN_H
#define LICORN_HOLDER_SCAN_H
#include <node_api.h>

// Adds findHolderPids to the addon's exports.
void register_holder_scan(napi_env env, napi_value exports);

#endif
