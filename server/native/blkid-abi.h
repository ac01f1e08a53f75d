// The part of libblkid's ABI that blkid_probe.c uses, declared here so that building the addon
// needs no libblkid-dev (a fresh Debian machine lacks it); libblkid.so.1 (package libblkid1,
// always installed: util-linux needs it) is opened at run time instead, as libpam is
// (pam-abi.h). The values are libblkid's own (blkid/blkid.h): test/native/blkid-abi.test.ts
// compares each one with the system's header.
#ifndef LICORN_BLKID_ABI_H
#define LICORN_BLKID_ABI_H
#include <stdint.h>

typedef struct blkid_struct_probe *blkid_probe;
typedef int64_t blkid_loff_t;

// Superblocks chain flags.
#define BLKID_SUBLKS_LABEL (1 << 1)
#define BLKID_SUBLKS_UUID (1 << 3)
#define BLKID_SUBLKS_TYPE (1 << 5)
#define BLKID_SUBLKS_SECTYPE (1 << 6)
#define BLKID_SUBLKS_USAGE (1 << 7)
#define BLKID_SUBLKS_VERSION (1 << 8)

// Partitions chain flags.
#define BLKID_PARTS_ENTRY_DETAILS (1 << 2)

#endif
