// probe_device(): what `blkid -p -o udev` tells of a device (type, usage, label, UUID, partition
// entry), read in-process by libblkid's low-level probe: the same probe as `blkid -p`:
// the device opened O_RDONLY|O_CLOEXEC|O_NONBLOCK (as blkid -p opens it), the
// superblocks chain with LABEL, UUID, TYPE, SECTYPE, USAGE and VERSION, the partitions chain
// with entry details, blkid_do_safeprobe (two filesystems found: nothing, as blkid's "ambivalent
// result"), and a small whole disk holding a partition table probed for the table only. A
// loop device that shows its backing file as it is (at the loop's offset) is probed through
// that file (loop_backing.c says why and how it is checked), the device held open meanwhile
// (it cannot be detached, nor its file changed, before the probe ends).
// It may sleep in the kernel for good on a device that stopped answering: device_reads.c runs
// it on a thread that may be abandoned. libblkid.so.1 is opened at the first probe (blkid-abi.h
// says why); without it every device is "unreadable".
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include "blkid-abi.h"
#include "blkid_probe.h"
#include "loop_backing.h"

// libblkid's functions, looked up once (any thread may probe first).
static struct {
  blkid_probe (*new_probe)(void);
  int (*probe_set_device)(blkid_probe pr, int fd, blkid_loff_t off, blkid_loff_t size);
  void (*free_probe)(blkid_probe pr);
  int (*probe_is_wholedisk)(blkid_probe pr);
  blkid_loff_t (*probe_get_size)(blkid_probe pr);
  int (*probe_enable_superblocks)(blkid_probe pr, int enable);
  int (*probe_set_superblocks_flags)(blkid_probe pr, int flags);
  int (*probe_enable_partitions)(blkid_probe pr, int enable);
  int (*probe_set_partitions_flags)(blkid_probe pr, int flags);
  int (*do_safeprobe)(blkid_probe pr);
  int (*do_fullprobe)(blkid_probe pr);
  int (*probe_lookup_value)(blkid_probe pr, const char *name, const char **data, size_t *len);
} blkid;
static pthread_once_t blkid_once = PTHREAD_ONCE_INIT;
static int blkid_loaded;

static void load_blkid(void) {
  void *library = dlopen("libblkid.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) return;
  const struct {
    const char *name;
    void **slot;
  } symbols[] = {
      {"blkid_new_probe", (void **)&blkid.new_probe},
      {"blkid_probe_set_device", (void **)&blkid.probe_set_device},
      {"blkid_free_probe", (void **)&blkid.free_probe},
      {"blkid_probe_is_wholedisk", (void **)&blkid.probe_is_wholedisk},
      {"blkid_probe_get_size", (void **)&blkid.probe_get_size},
      {"blkid_probe_enable_superblocks", (void **)&blkid.probe_enable_superblocks},
      {"blkid_probe_set_superblocks_flags", (void **)&blkid.probe_set_superblocks_flags},
      {"blkid_probe_enable_partitions", (void **)&blkid.probe_enable_partitions},
      {"blkid_probe_set_partitions_flags", (void **)&blkid.probe_set_partitions_flags},
      {"blkid_do_safeprobe", (void **)&blkid.do_safeprobe},
      {"blkid_do_fullprobe", (void **)&blkid.do_fullprobe},
      {"blkid_probe_lookup_value", (void **)&blkid.probe_lookup_value},
  };
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
    *symbols[i].slot = dlsym(library, symbols[i].name);
    if (*symbols[i].slot == NULL) return;
  }
  blkid_loaded = 1;
}

const char *const probe_value_names[PROBE_VALUE_COUNT] = {
    "TYPE", "USAGE", "LABEL", "LABEL_FATBOOT", "UUID", "PART_ENTRY_UUID", "PART_ENTRY_NAME"};

// A small whole disk (a floppy, a tiny image) may hold a partition table in place of a
// filesystem: `blkid -p` then reports the table only (its lowprobe_superblocks).
// `whole`: a whole disk (libblkid says a regular file is not one: a loop device's file is).
static int probe_superblocks(blkid_probe pr, int whole) {
  blkid.probe_enable_partitions(pr, 1);
  if (blkid.probe_get_size(pr) <= 1024 * 1440 && whole) {
    blkid.probe_enable_superblocks(pr, 0);
    int rc = blkid.do_fullprobe(pr);
    if (rc < 0) return rc;
    if (blkid.probe_lookup_value(pr, "PTTYPE", NULL, NULL) == 0) return 0;
  }
  blkid.probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
  blkid.probe_enable_superblocks(pr, 1);
  blkid.probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE |
                                            BLKID_SUBLKS_SECTYPE | BLKID_SUBLKS_USAGE | BLKID_SUBLKS_VERSION);
  return blkid.do_safeprobe(pr);
}

void probe_device(const char *path, probe_values *result) {
  result->status = 2;
  pthread_once(&blkid_once, load_blkid);
  if (!blkid_loaded) return;
  int device_fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (device_fd < 0) return;
  long long offset = 0, size = 0;
  int file_fd = open_loop_backing(device_fd, &offset, &size);
  blkid_probe pr = blkid.new_probe();
  int rc = -1;
  if (pr != NULL && file_fd >= 0 && blkid.probe_set_device(pr, file_fd, offset, size) == 0)
    rc = probe_superblocks(pr, 1);
  else if (pr != NULL && blkid.probe_set_device(pr, device_fd, 0, 0) == 0)
    rc = probe_superblocks(pr, blkid.probe_is_wholedisk(pr));
  result->status = rc == 0 ? 0 : rc == 1 ? 1 : 2;
  for (size_t i = 0; rc == 0 && i < PROBE_VALUE_COUNT; i++) {
    const char *data = NULL;
    size_t length = 0;
    if (blkid.probe_lookup_value(pr, probe_value_names[i], &data, &length) != 0 || data == NULL) continue;
    // libblkid's length counts the terminating NUL; a value stops at its first NUL.
    length = strnlen(data, length < PROBE_VALUE_SIZE ? length : PROBE_VALUE_SIZE);
    memcpy(result->values[i], data, length);
    result->lengths[i] = length;
    result->present[i] = 1;
  }
  if (pr != NULL) blkid.free_probe(pr);
  if (file_fd >= 0) close(file_fd);
  close(device_fd);
}
