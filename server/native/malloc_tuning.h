// licorn_native's glibc malloc settings (malloc_tuning.c).
#ifndef LICORN_MALLOC_TUNING_H
#define LICORN_MALLOC_TUNING_H
#include <node_api.h>

// Adds tuneMalloc and trimMalloc to the addon's exports.
void register_malloc_tuning(napi_env env, napi_value exports);

#endif
