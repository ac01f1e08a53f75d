// watchBlockDevices(options, callback) -> { handle, sources } and stopBlockWatch(handle): one
// native thread that blocks in poll() on what tells of a change to the machine's block devices
// and mounts, and calls back (through a thread-safe function) with one batch per wake-up:
// - kernel uevents on a NETLINK_KOBJECT_UEVENT socket (group 1: works without udev; a loop
//   attached or detached, a disk or partition added or removed, a medium changed), and udev's
//   own (group 2) when udev runs, so that what follows udev's rules is seen too;
// - POLLPRI on /proc/self/mountinfo: the mount namespace's table changed (mount, umount);
// - inotify on /dev: IN_CLOSE_WRITE of a block device node (a mkfs, a wipefs, a partitioner:
//   what udev's `watch` option does, the only way a new filesystem becomes visible), nodes
//   created and removed; and on /dev/disk/by-uuid when it exists (udev's links).
// Node has neither netlink nor poll() on procfs: one thread asleep in poll() costs nothing
// while nothing happens (no timer, no polling of devices).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <node_api.h>
#include "block_watch.h"

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

typedef struct {
  napi_threadsafe_function tsfn;
  napi_env env;
  pthread_t thread;
  int thread_started;
  int stopped;
  int stop_fd;
  int netlink_fd;
  int mountinfo_fd;
  int inotify_fd;
  int dev_watch;
  int uuid_watch;
  char dev_dir[PATH_SIZE];
  char uuid_dir[PATH_SIZE];
} watcher;

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
static void drain_netlink(watcher *w, batch *b) {
  char buffer[8192];
  for (;;) {
    struct sockaddr_nl sender;
    char control[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec io = {buffer, sizeof buffer - 1};
    struct msghdr message = {
      .msg_name = &sender, .msg_namelen = sizeof sender, .msg_iov = &io, .msg_iovlen = 1,
      .msg_control = control, .msg_controllen = sizeof control,
    };
    ssize_t length = recvmsg(w->netlink_fd, &message, MSG_DONTWAIT);
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

static void drain_inotify(watcher *w, batch *b) {
  char buffer[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
  for (;;) {
    ssize_t length = read(w->inotify_fd, buffer, sizeof buffer);
    if (length <= 0) return;
    for (char *at = buffer; at < buffer + length;) {
      struct inotify_event *event = (struct inotify_event *)at;
      at += sizeof *event + event->len;
      if (event->mask & IN_Q_OVERFLOW) {
        b->everything = 1;
      } else if (event->len == 0) {
        // The directory itself went away (a /dev/disk that udev removed): nothing to name.
        if (event->mask & (IN_IGNORED | IN_DELETE_SELF)) b->everything = 1;
      } else if (event->wd == w->dev_watch) {
        // Closes after writing and new nodes count only for block devices (a write to
        // /dev/null or a tty is no news); a removed node cannot be checked any more.
        if ((event->mask & IN_DELETE) || is_block_node(w->dev_dir, event->name)) add_name(b, event->name);
      } else if (event->wd == w->uuid_watch) {
        if (event->mask & IN_DELETE) b->everything = 1;
        else add_link_target(b, w->uuid_dir, event->name);
      }
    }
  }
}

// Hands one batch to the JavaScript thread; blocks while its queue is full (the kernel keeps
// what arrives meanwhile, or says it dropped some: then the next batch says "everything").
static int deliver(watcher *w, const batch *b) {
  batch *copy = malloc(sizeof *copy);
  if (copy == NULL) return 0;
  memcpy(copy, b, sizeof *copy);
  if (napi_call_threadsafe_function(w->tsfn, copy, napi_tsfn_blocking) != napi_ok) {
    free(copy);
    return 0;
  }
  return 1;
}

static void *run_watcher(void *arg) {
  watcher *w = arg;
  // Named, so that its CPU time can be read in /proc/<pid>/task/*/comm (the volumes bench).
  pthread_setname_np(pthread_self(), "licorn-blkwatch");
  struct pollfd fds[4];
  int count = 0;
  fds[count++] = (struct pollfd){w->stop_fd, POLLIN, 0};
  if (w->netlink_fd >= 0) fds[count++] = (struct pollfd){w->netlink_fd, POLLIN, 0};
  if (w->mountinfo_fd >= 0) fds[count++] = (struct pollfd){w->mountinfo_fd, POLLPRI, 0};
  if (w->inotify_fd >= 0) fds[count++] = (struct pollfd){w->inotify_fd, POLLIN, 0};
  for (;;) {
    if (poll(fds, (nfds_t)count, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) break;
    batch b;
    memset(&b, 0, sizeof b);
    for (int i = 1; i < count; i++) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == w->netlink_fd) drain_netlink(w, &b);
      else if (fds[i].fd == w->mountinfo_fd) b.mounts = 1;
      else if (fds[i].fd == w->inotify_fd) drain_inotify(w, &b);
    }
    if ((b.count > 0 || b.mounts || b.everything) && !deliver(w, &b)) break;
  }
  return NULL;
}

static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  batch *b = data;
  if (env != NULL && callback != NULL) {
    napi_value result, names, value, undefined;
    napi_create_object(env, &result);
    napi_create_array_with_length(env, (size_t)b->count, &names);
    for (int i = 0; i < b->count; i++) {
      napi_create_string_utf8(env, b->names[i], NAPI_AUTO_LENGTH, &value);
      napi_set_element(env, names, (uint32_t)i, value);
    }
    napi_set_named_property(env, result, "names", names);
    napi_get_boolean(env, b->mounts, &value);
    napi_set_named_property(env, result, "mounts", value);
    napi_get_boolean(env, b->everything, &value);
    napi_set_named_property(env, result, "everything", value);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, callback, 1, &result, NULL);
  }
  free(b);
}

static void close_fds(watcher *w) {
  int *fds[] = {&w->stop_fd, &w->netlink_fd, &w->mountinfo_fd, &w->inotify_fd};
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
    if (*fds[i] >= 0) close(*fds[i]);
    *fds[i] = -1;
  }
}

// Wakes the thread, lets a blocked delivery return, waits for the thread and closes every
// descriptor. Safe to call twice (stopBlockWatch, then the environment's cleanup).
static void stop_watcher(watcher *w) {
  if (w->stopped) return;
  w->stopped = 1;
  uint64_t one = 1;
  if (write(w->stop_fd, &one, sizeof one) < 0) {
    // An eventfd write fails only when its counter is full, which means it is already set.
  }
  napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
  if (w->thread_started) pthread_join(w->thread, NULL);
  close_fds(w);
}

static void cleanup_hook(void *arg) {
  stop_watcher(arg);
}

static void finalize_tsfn(napi_env env, void *data, void *hint) {
  (void)data;
  (void)hint;
  (void)env;
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)hint;
  watcher *w = data;
  stop_watcher(w);
  napi_remove_env_cleanup_hook(env, cleanup_hook, w);
  free(w);
}

static int open_netlink(int udev) {
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

// Reads options.<key> as a string into buffer; empty when absent, null or not a string.
static void get_option(napi_env env, napi_value options, const char *key, char *buffer, size_t size) {
  napi_value value;
  napi_valuetype type;
  size_t length = 0;
  buffer[0] = '\0';
  if (napi_get_named_property(env, options, key, &value) != napi_ok) return;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) return;
  napi_get_value_string_utf8(env, value, buffer, size, &length);
}

// Whether options.<key> is true.
static int get_flag(napi_env env, napi_value options, const char *key) {
  napi_value value;
  bool flag = false;
  if (napi_get_named_property(env, options, key, &value) != napi_ok) return 0;
  if (napi_get_value_bool(env, value, &flag) != napi_ok) return 0;
  return flag ? 1 : 0;
}

static void push_source(napi_env env, napi_value sources, uint32_t *count, const char *name) {
  napi_value value;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &value);
  napi_set_element(env, sources, (*count)++, value);
}

// watchBlockDevices({ devDir, uuidDir, mountInfo, udev }, callback): starts the thread.
static napi_value watch_block_devices(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "watchBlockDevices(options, callback) needs an object and a function");
    return NULL;
  }
  watcher *w = calloc(1, sizeof *w);
  if (w == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  w->env = env;
  w->netlink_fd = w->mountinfo_fd = w->inotify_fd = w->dev_watch = w->uuid_watch = -1;
  char mountinfo[PATH_SIZE];
  get_option(env, argv[0], "devDir", w->dev_dir, sizeof w->dev_dir);
  get_option(env, argv[0], "uuidDir", w->uuid_dir, sizeof w->uuid_dir);
  get_option(env, argv[0], "mountInfo", mountinfo, sizeof mountinfo);
  int udev = get_flag(env, argv[0], "udev");

  napi_value sources;
  uint32_t source_count = 0;
  napi_create_array(env, &sources);
  w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  w->netlink_fd = open_netlink(udev);
  if (w->netlink_fd >= 0) push_source(env, sources, &source_count, udev ? "udev" : "uevent");
  if (mountinfo[0] != '\0' && (w->mountinfo_fd = open(mountinfo, O_RDONLY | O_CLOEXEC)) >= 0)
    push_source(env, sources, &source_count, "mountinfo");
  w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (w->inotify_fd >= 0 && w->dev_dir[0] != '\0') {
    w->dev_watch = inotify_add_watch(w->inotify_fd, w->dev_dir, IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_ONLYDIR);
    if (w->dev_watch >= 0) push_source(env, sources, &source_count, "dev");
  }
  if (w->inotify_fd >= 0 && w->uuid_dir[0] != '\0') {
    w->uuid_watch = inotify_add_watch(w->inotify_fd, w->uuid_dir,
                                      IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR);
    if (w->uuid_watch >= 0) push_source(env, sources, &source_count, "by-uuid");
  }
  napi_value name;
  napi_create_string_utf8(env, "licorn-block-watch", NAPI_AUTO_LENGTH, &name);
  if (w->stop_fd < 0 || napi_create_threadsafe_function(env, argv[1], NULL, name, 4, 1, NULL, finalize_tsfn, w,
                                                        call_js, &w->tsfn) != napi_ok) {
    close_fds(w);
    free(w);
    napi_throw_error(env, NULL, "watchBlockDevices: cannot start (eventfd or thread-safe function)");
    return NULL;
  }
  // The watcher never keeps the process alive by itself (as fs.watch with persistent: false).
  napi_unref_threadsafe_function(env, w->tsfn);
  if (pthread_create(&w->thread, NULL, run_watcher, w) != 0) {
    w->stopped = 1;
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    close_fds(w);
    free(w);
    napi_throw_error(env, NULL, "watchBlockDevices: cannot start its thread");
    return NULL;
  }
  w->thread_started = 1;
  napi_add_env_cleanup_hook(env, cleanup_hook, w);
  napi_value result, handle;
  napi_create_object(env, &result);
  napi_create_external(env, w, finalize_handle, NULL, &handle);
  napi_set_named_property(env, result, "handle", handle);
  napi_set_named_property(env, result, "sources", sources);
  return result;
}

// stopBlockWatch(handle): stops the thread and closes its descriptors now.
static napi_value stop_block_watch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "stopBlockWatch(handle) needs the handle watchBlockDevices returned");
    return NULL;
  }
  stop_watcher(data);
  return NULL;
}

void register_block_watch(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"watchBlockDevices", NULL, watch_block_devices, NULL, NULL, NULL, napi_enumerable, NULL},
    {"stopBlockWatch", NULL, stop_block_watch, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 2, properties);
}
