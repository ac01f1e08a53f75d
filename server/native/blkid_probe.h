// The in-process filesystem probe of licorn_native (blkid_probe.c).
#ifndef LICORN_BLKID_PROBE_H
#define LICORN_BLKID_PROBE_H
#include <stddef.h>

#define PROBE_VALUE_COUNT 7
#define PROBE_VALUE_SIZE 1024

// The values kept, by libblkid's names (TYPE, USAGE, LABEL, LABEL_FATBOOT, UUID,
// PART_ENTRY_UUID, PART_ENTRY_NAME).
extern const char *const probe_value_names[PROBE_VALUE_COUNT];

// One device's answer: status 0 found, 1 nothing recognised, 2 ambivalent or unreadable; the
// values' raw bytes (a value stops at its first NUL).
typedef struct {
  int status;
  size_t lengths[PROBE_VALUE_COUNT];
  int present[PROBE_VALUE_COUNT];
  char values[PROBE_VALUE_COUNT][PROBE_VALUE_SIZE];
} probe_values;

// Probes the device at `path` as `blkid -p` does. May block for good on a hung device.
void probe_device(const char *path, probe_values *result);

#endif
