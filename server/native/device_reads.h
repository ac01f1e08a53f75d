// The reads a hung device may block, on threads that may be abandoned (device_reads.c).
#ifndef LICORN_DEVICE_READS_H
#define LICORN_DEVICE_READS_H
#include <node_api.h>

// Adds readDevices and abandonDeviceReads to the addon's exports.
void register_device_reads(napi_env env, napi_value exports);

#endif
