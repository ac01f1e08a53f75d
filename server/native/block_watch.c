// watchBlockDevices(options, callback) -> { handle, sources } and stopBlockWatch(handle): one
// native thread that blocks in poll() on what tells of a change to the machine's block devices
// and mounts, and calls back (through a thread-safe function) with one batch per wake-up:
// - kernel uevents on a NETLINK_KOBJECT_UEVENT socket (group 1: works without udev; a loop
//   attached or detached, a disk or partition added or removed, a medium changed), and udev's
//   own (group 2) when udev runs, so that what follows udev's rules is seen too;
// - POLLPRI on /proc/self/mountinfo: the mount namespace's table changed (mount, umount);
// - inotify on each block device node of /dev: IN_CLOSE_WRITE (a mkfs, a wipefs, a
//   partitioner: what udev's `watch` option does, the only way a new filesystem becomes
//   visible), and on /dev itself for nodes created and removed (never its closes: a write to
//   /dev/null is no news); and on /dev/disk/by-uuid when it exists (udev's links).
// Node has neither netlink nor poll() on procfs: one thread asleep in poll() costs nothing
// while nothing happens (no timer, no polling of devices). Reading each source is in
// block_watch_sources.c.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <node_api.h>
#include "block_watch.h"
#include "block_watch_sources.h"

// One running watcher: its thread, descriptors and the thread-safe function it calls back through.
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
  node_table nodes;
} watcher;


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
      if (fds[i].fd == w->netlink_fd) drain_uevents(w->netlink_fd, &b);
      else if (fds[i].fd == w->mountinfo_fd) b.mounts = 1;
      else if (fds[i].fd == w->inotify_fd) {
        inotify_source source = {w->inotify_fd, w->dev_watch, w->uuid_watch, w->dev_dir, w->uuid_dir, &w->nodes};
        drain_inotify(&source, &b);
      }
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
  w->netlink_fd = open_uevent_socket(udev);
  if (w->netlink_fd >= 0) push_source(env, sources, &source_count, udev ? "udev" : "uevent");
  if (mountinfo[0] != '\0' && (w->mountinfo_fd = open(mountinfo, O_RDONLY | O_CLOEXEC)) >= 0)
    push_source(env, sources, &source_count, "mountinfo");
  w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (w->inotify_fd >= 0 && w->dev_dir[0] != '\0') {
    w->dev_watch = inotify_add_watch(w->inotify_fd, w->dev_dir, IN_CREATE | IN_DELETE | IN_ONLYDIR);
    if (w->dev_watch >= 0) push_source(env, sources, &source_count, "dev");
    // Before the thread starts: it alone touches the table afterwards.
    inotify_source source = {w->inotify_fd, w->dev_watch, -1, w->dev_dir, "", &w->nodes};
    watch_block_nodes(&source);
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
