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

// Most block device nodes watched one by one; past it, the whole directory is watched for
// IN_CLOSE_WRITE instead (as before: every close after a write there wakes the thread).
#define NODE_WATCHES 2048

// The watch of one block device node in the dev directory (IN_CLOSE_WRITE: a mkfs, a wipefs).
typedef struct {
  int wd;
  char name[NAME_SIZE];
} node_watch;

// The nodes watched: added when a block node appears, dropped when the kernel drops the
// watch (IN_IGNORED, the node removed). `full`: the directory watch took over.
typedef struct {
  node_watch entries[NODE_WATCHES];
  int count;
  int full;
} node_table;

// The inotify descriptor, its two directory watches (-1 when not watched) and the nodes'.
typedef struct {
  int fd;
  int dev_watch;
  int uuid_watch;
  const char *dev_dir;
  const char *uuid_dir;
  node_table *nodes;
} inotify_source;

// Watches every block device node now in the dev directory (at start).
void watch_block_nodes(const inotify_source *source);

// A NETLINK_KOBJECT_UEVENT socket bound to the kernel's group, and udev's too when `udev`;
// non-blocking, close-on-exec, with SO_PASSCRED; -1 when it cannot be opened.
int open_uevent_socket(int udev);

// Reads every waiting uevent into the batch: block devices by kernel name.
void drain_uevents(int fd, batch *b);

// Reads every waiting inotify event into the batch.
void drain_inotify(const inotify_source *source, batch *b);

#endif
