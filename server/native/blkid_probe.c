// probe_device(): what `blkid -p -o udev` tells of a device (type, usage, label, UUID, partition
// entry), read in-process by libblkid's low-level probe: the same probe as `blkid -p`:
// blkid_new_probe_from_filename (O_RDONLY|O_CLOEXEC|O_NONBLOCK, as blkid -p opens), the
// superblocks chain with LABEL, UUID, TYPE, SECTYPE, USAGE and VERSION, the partitions chain
// with entry details, blkid_do_safeprobe (two filesystems found: nothing, as blkid's "ambivalent
// result"), and a small whole disk holding a partition table probed for the table only.
// It may sleep in the kernel for good on a device that stopped answering: device_reads.c runs
// it on a thread that may be abandoned.
#include <blkid/blkid.h>
#include <string.h>
#include "blkid_probe.h"

const char *const probe_value_names[PROBE_VALUE_COUNT] = {
    "TYPE", "USAGE", "LABEL", "LABEL_FATBOOT", "UUID", "PART_ENTRY_UUID", "PART_ENTRY_NAME"};

// A small whole disk (a floppy, a tiny image) may hold a partition table in place of a
// filesystem: `blkid -p` then reports the table only (its lowprobe_superblocks).
static int probe_superblocks(blkid_probe pr) {
  blkid_probe_enable_partitions(pr, 1);
  if (blkid_probe_get_size(pr) <= 1024 * 1440 && blkid_probe_is_wholedisk(pr)) {
    blkid_probe_enable_superblocks(pr, 0);
    int rc = blkid_do_fullprobe(pr);
    if (rc < 0) return rc;
    if (blkid_probe_lookup_value(pr, "PTTYPE", NULL, NULL) == 0) return 0;
  }
  blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
  blkid_probe_enable_superblocks(pr, 1);
  blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE |
                                            BLKID_SUBLKS_SECTYPE | BLKID_SUBLKS_USAGE | BLKID_SUBLKS_VERSION);
  return blkid_do_safeprobe(pr);
}

void probe_device(const char *path, probe_values *result) {
  result->status = 2;
  blkid_probe pr = blkid_new_probe_from_filename(path);
  if (pr == NULL) return;
  int rc = probe_superblocks(pr);
  result->status = rc == 0 ? 0 : rc == 1 ? 1 : 2;
  for (size_t i = 0; rc == 0 && i < PROBE_VALUE_COUNT; i++) {
    const char *data = NULL;
    size_t length = 0;
    if (blkid_probe_lookup_value(pr, probe_value_names[i], &data, &length) != 0 || data == NULL) continue;
    // libblkid's length counts the terminating NUL; a value stops at its first NUL.
    length = strnlen(data, length < PROBE_VALUE_SIZE ? length : PROBE_VALUE_SIZE);
    memcpy(result->values[i], data, length);
    result->lengths[i] = length;
    result->present[i] = 1;
  }
  blkid_free_probe(pr);
}
