// The sources of block_watch.c's thread: reading what a wake-up brings from the uevent socket
// (the kernel's and udev's messages) and from inotify on /dev and /dev/disk/by-uuid, into one
// batch of device names.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "block_watch_sources.h"

// A kernel name as the volume schema accepts it (`^[A-Za-z0-9._:+-]{1,64}$`).
static int is_plain_name(const char *name) {
  size_t length = strlen(name);
  if (length == 0 || length >= NAME_SIZE || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return 0;
  for (size_t i = 0; i < length; i++) {
    char c = name[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
             c == '_' || c == ':' || c == '+' || c == '-';
    if (!ok) return 0;
  }
  return 1;
}

static void add_name(batch *b, const char *name) {
  if (!is_plain_name(name)) {
    b->everything = 1;
    return;
  }
  for (int i = 0; i < b->count; i++)
    if (strcmp(b->names[i], name) == 0) return;
  if (b->count == BATCH_NAMES) {
    b->everything = 1;
    return;
  }
  strcpy(b->names[b->count++], name);
}

// The block device named in one uevent's NUL-separated KEY=value fields: the last part of
// DEVPATH (the kernel name: `sda1`, `loop3`), when SUBSYSTEM is block.
static void read_uevent_fields(batch *b, const char *fields, size_t length) {
  const char *devpath = NULL;
  int block = 0;
  for (size_t at = 0; at < length;) {
    const char *field = fields + at;
    size_t field_length = strnlen(field, length - at);
    if (field_length == length - at) break;  // not NUL-terminated: ignore the rest
    if (strcmp(field, "SUBSYSTEM=block") == 0) block = 1;
    if (strncmp(field, "DEVPATH=", 8) == 0) devpath = field + 8;
    at += field_length + 1;
  }
  if (!block || devpath == NULL) return;
  const char *slash = strrchr(devpath, '/');
  add_name(b, slash ? slash + 1 : devpath);
}

// Reads every waiting uevent. Kernel messages come from port 0; udev's (a "libudev" header,
// then the fields at its properties offset) from udevd, which must be root: anyone else
// could only make us refresh, but nothing but the kernel and udev has a say here.
void drain_uevents(int fd, batch *b) {
  char buffer[8192];
  for (;;) {
    struct sockaddr_nl sender;
    char control[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec io = {buffer, sizeof buffer - 1};
    struct msghdr message = {
      .msg_name = &sender, .msg_namelen = sizeof sender, .msg_iov = &io, .msg_iovlen = 1,
      .msg_control = control, .msg_controllen = sizeof control,
    };
    ssize_t length = recvmsg(fd, &message, MSG_DONTWAIT);
    if (length < 0) {
      if (errno == ENOBUFS) {
        b->everything = 1;  // the kernel dropped events: anything may have changed
        continue;
      }
      return;  // EAGAIN: drained
    }
    buffer[length] = '\0';
    if (sender.nl_groups == 1 && sender.nl_pid == 0) {
      size_t header = strnlen(buffer, (size_t)length);
      if (header < (size_t)length) read_uevent_fields(b, buffer + header + 1, (size_t)length - header - 1);
      continue;
    }
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message);
    if (sender.nl_groups != 2 || cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET ||
        cmsg->cmsg_type != SCM_CREDENTIALS)
      continue;
    struct ucred credentials;
    memcpy(&credentials, CMSG_DATA(cmsg), sizeof credentials);
    if (credentials.uid != 0 || length < 40 || memcmp(buffer, "libudev", 8) != 0) continue;
    // struct monitor_netlink_header: prefix[8], magic, header_size, properties_off, properties_len…
    unsigned int offset, size;
    memcpy(&offset, buffer + 16, sizeof offset);
    memcpy(&size, buffer + 20, sizeof size);
    if (offset < 40 || offset > (size_t)length || size > (size_t)length - offset) continue;
    read_uevent_fields(b, buffer + offset, size);
  }
}

// Whether dir/name is a block device node now.
static int is_block_node(const char *dir, const char *name) {
  char path[PATH_SIZE];
  struct stat status;
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return 0;
  return lstat(path, &status) == 0 && S_ISBLK(status.st_mode);
}

// A by-uuid link's device (`../../sdb1` -> `sdb1`); everything when it is gone or odd.
static void add_link_target(batch *b, const char *dir, const char *name) {
  char path[PATH_SIZE], target[PATH_SIZE];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return;
  ssize_t length = readlink(path, target, sizeof target - 1);
  if (length <= 0) {
    b->everything = 1;
    return;
  }
  target[length] = '\0';
  const char *slash = strrchr(target, '/');
  add_name(b, slash ? slash + 1 : target);
}

// The events a dev directory watch asks for: nodes created and removed; IN_CLOSE_WRITE only
// when too many nodes to watch one by one (red team's L3: a close of /dev/null by anyone
// woke the thread, 770k times in 8 s cost 18 % of a core).
static unsigned int get_dir_mask(const node_table *nodes) {
  return IN_CREATE | IN_DELETE | IN_ONLYDIR | (nodes->full ? IN_CLOSE_WRITE : 0);
}

// Watches the block node dir/name for IN_CLOSE_WRITE (a new node, or one seen at start).
static void watch_node(const inotify_source *source, const char *name) {
  node_table *nodes = source->nodes;
  if (strlen(name) >= NAME_SIZE || !is_block_node(source->dev_dir, name)) return;
  char path[PATH_SIZE];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", source->dev_dir, name) >= sizeof path) return;
  if (nodes->count >= NODE_WATCHES) {
    if (!nodes->full) {
      nodes->full = 1;
      inotify_add_watch(source->fd, source->dev_dir, get_dir_mask(nodes));
    }
    return;
  }
  int wd = inotify_add_watch(source->fd, path, IN_CLOSE_WRITE);
  if (wd < 0) return;
  for (int i = 0; i < nodes->count; i++) {
    // The same inode watched again (a second IN_CREATE of it): one entry, renamed.
    if (nodes->entries[i].wd == wd) {
      snprintf(nodes->entries[i].name, NAME_SIZE, "%s", name);
      return;
    }
  }
  nodes->entries[nodes->count].wd = wd;
  snprintf(nodes->entries[nodes->count].name, NAME_SIZE, "%s", name);
  nodes->count++;
}

void watch_block_nodes(const inotify_source *source) {
  if (source->dev_watch < 0) return;
  DIR *dir = opendir(source->dev_dir);
  if (dir == NULL) return;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (entry->d_type == DT_BLK || entry->d_type == DT_UNKNOWN) watch_node(source, entry->d_name);
  }
  closedir(dir);
}

// The entry of a node watch, or -1 when `wd` is not one.
static int find_node(const node_table *nodes, int wd) {
  for (int i = 0; i < nodes->count; i++)
    if (nodes->entries[i].wd == wd) return i;
  return -1;
}

void drain_inotify(const inotify_source *source, batch *b) {
  char buffer[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
  for (;;) {
    ssize_t length = read(source->fd, buffer, sizeof buffer);
    if (length <= 0) return;
    for (char *at = buffer; at < buffer + length;) {
      struct inotify_event *event = (struct inotify_event *)at;
      at += sizeof *event + event->len;
      int node = event->wd >= 0 ? find_node(source->nodes, event->wd) : -1;
      if (event->mask & IN_Q_OVERFLOW) {
        b->everything = 1;
      } else if (node >= 0) {
        node_table *nodes = source->nodes;
        if (event->mask & IN_CLOSE_WRITE) add_name(b, nodes->entries[node].name);
        if (event->mask & IN_IGNORED) nodes->entries[node] = nodes->entries[--nodes->count];
      } else if (event->len == 0) {
        // The directory itself went away (a /dev/disk that udev removed): nothing to name.
        if (event->mask & (IN_IGNORED | IN_DELETE_SELF)) b->everything = 1;
      } else if (event->wd == source->dev_watch) {
        // New nodes (and closes after writing, when the directory watch has them) count only
        // for block devices; a removed node cannot be checked any more. A new block node is
        // watched by itself from now on.
        if ((event->mask & IN_DELETE) || is_block_node(source->dev_dir, event->name)) add_name(b, event->name);
        if (event->mask & IN_CREATE) watch_node(source, event->name);
      } else if (event->wd == source->uuid_watch) {
        if (event->mask & IN_DELETE) b->everything = 1;
        else add_link_target(b, source->uuid_dir, event->name);
      }
    }
  }
}

int open_uevent_socket(int udev) {
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
  if (fd < 0) return -1;
  int on = 1, size = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  // A burst (a disk with many partitions, 50 loops at once) must not overflow the socket.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  struct sockaddr_nl address = {.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = udev ? 3 : 1};
  if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}
