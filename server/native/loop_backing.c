// open_loop_backing(): the file behind a loop device, opened to be probed in the device's place
// when it shows the device's bytes, at the loop's offset, for the device's size: a whole loop
// device (not a partition of one) over a regular file, 512-byte sectors (libblkid takes that
// size for a file: GPT and others place their structures by it), the file at least as long
// as the device's end (the loop reads zeros past the file's end; a read of the file would
// stop short). Why: libblkid's ~30 small reads of a device are each a round trip through
// the loop's kernel worker, and the device's page cache is dropped at every last close
// (kill_bdev), so a probe of the device never finds it warm; the file's page cache stays warm.
// The file's path comes from sysfs and may be replaced between the reading and the opening (a
// directory renamed, the file deleted and another made as "<path> (deleted)"): the path is
// opened O_PATH (no open of whatever is found: a FIFO, a device node), symlinks refused, and
// the file kept only when it is the loop's own (LOOP_GET_STATUS64's lo_device and lo_inode);
// then it is reopened read-only through /proc/self/fd. Anything else: -1, the device is probed.
// A file on a FUSE or NFS mount that stopped answering may block here for good, as the
// device's own reads would: blkid_probe.c runs on device_reads.c's abandonable threads.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <linux/major.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "loop_backing.h"

// The loop's backing file path as sysfs gives it now; 0 when there is none (a partition of a
// loop device has no loop/ directory: only a whole one is taken).
static int read_backing_path(dev_t rdev, char *path, size_t size) {
  char sysfs[96];
  snprintf(sysfs, sizeof sysfs, "/sys/dev/block/%u:%u/loop/backing_file", major(rdev), minor(rdev));
  int fd = open(sysfs, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t length = read(fd, path, size - 1);
  close(fd);
  if (length <= 1 || path[0] != '/') return 0;
  if (path[length - 1] == '\n') length--;
  path[length] = '\0';
  return strlen(path) == (size_t)length;
}

// The path opened O_PATH, no symlink followed anywhere in it (sysfs gives the path the kernel
// resolved: it has none); open(2) with O_NOFOLLOW, for the last part only, before Linux 5.6.
static int open_path_only(const char *path) {
  struct open_how how = {.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW, .resolve = RESOLVE_NO_SYMLINKS};
  int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
  return fd;
}

// Whether lo_device (the kernel's 32-bit dev_t encoding, huge_encode_dev) names st_dev.
static int is_same_dev(__u64 lo_device, dev_t dev) {
  unsigned int lo_major = (unsigned int)((lo_device & 0xfff00) >> 8);
  unsigned int lo_minor = (unsigned int)((lo_device & 0xff) | ((lo_device >> 12) & 0xfff00));
  return lo_device >> 32 == 0 && lo_major == major(dev) && lo_minor == minor(dev);
}

int open_loop_backing(int device_fd, long long *offset, long long *size) {
  struct stat device;
  struct loop_info64 info;
  unsigned long long device_size = 0;
  int sector_size = 0;
  char path[4096];
  if (fstat(device_fd, &device) != 0 || !S_ISBLK(device.st_mode) || major(device.st_rdev) != LOOP_MAJOR) return -1;
  if (!read_backing_path(device.st_rdev, path, sizeof path)) return -1;
  memset(&info, 0, sizeof info);
  if (ioctl(device_fd, LOOP_GET_STATUS64, &info) != 0 || info.lo_offset > (__u64)INT64_MAX / 2) return -1;
  if (ioctl(device_fd, BLKSSZGET, &sector_size) != 0 || sector_size != 512) return -1;
  if (ioctl(device_fd, BLKGETSIZE64, &device_size) != 0 || device_size == 0) return -1;
  int path_fd = open_path_only(path);
  if (path_fd < 0) return -1;
  struct stat file;
  int fd = -1;
  if (fstat(path_fd, &file) == 0 && S_ISREG(file.st_mode) && is_same_dev(info.lo_device, file.st_dev) &&
      info.lo_inode == (__u64)file.st_ino && device_size <= (unsigned long long)INT64_MAX / 2 &&
      (unsigned long long)file.st_size >= info.lo_offset + device_size) {
    char reopen[64];
    snprintf(reopen, sizeof reopen, "/proc/self/fd/%d", path_fd);
    fd = open(reopen, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  }
  close(path_fd);
  // Writes to the device that someone holding it open has not synced yet are in the device's
  // page cache only: written to the file now (as the kernel's flusher would soon), without the
  // flush of the backing file's disk that fsync(2) would ask for.
  const unsigned int write_and_wait =
      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
  if (fd >= 0 && sync_file_range(device_fd, 0, 0, write_and_wait) != 0) {
    close(fd);
    return -1;
  }
  if (fd >= 0) {
    *offset = (long long)info.lo_offset;
    *size = (long long)device_size;
  }
  return fd;
}
