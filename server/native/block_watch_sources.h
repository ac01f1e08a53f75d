// What block_watch.c's thread reads from its sources (block_watch_sources.c).
#ifndef LICORN_BLOCK_WATCH_SOURCES_H
#define LICORN_BLOCK_WATCH_SOURCES_H

#define BATCH_NAMES 64
#define NAME_SIZE 65
#define PATH_SIZE 1024

// What one wake-up saw: device names (kernel names, as in /sys/class/block), whether the
// mount table changed, and whether anything may have changed (an overflowed queue, a name
// that is not a plain kernel name, more names than a batch holds).
typedef struct {
  char names[BATCH_NAMES][NAME_SIZE];
  int count;
  int mounts;
  int everything;
} batch;

// The inotify descriptor and its two watches (-1 when not watched).
typedef struct {
  int fd;
  int dev_watch;
  int uuid_watch;
  const char *dev_dir;
  const char *uuid_dir;
} inotify_source;

// A NETLINK_KOBJECT_UEVENT socket bound to the kernel's group, and udev's too when `udev`;
// non-blocking, close-on-exec, with SO_PASSCRED; -1 when it cannot be opened.
int open_uevent_socket(int udev);

// Reads every waiting uevent into the batch: block devices by kernel name.
void drain_uevents(int fd, batch *b);

// Reads every waiting inotify event into the batch.
void drain_inotify(const inotify_source *source, batch *b);

#endif
