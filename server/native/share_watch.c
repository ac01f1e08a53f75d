// startShareWatch(callback) -> handle, setShareRule(handle, rule, repair),
// removeShare(handle, id), cancelShareRepair(handle, id), getShareWatchFigures(handle),
// stopShareWatch(handle): the event loop's side of the share watcher. Each call only checks
// its arguments and queues a command for the watcher thread (share_watch_thread.c), which
// owns the watched tree; batches come back through a thread-safe function.
// Licorn enforced each share's ACL with one Python watch object per directory (~1 KB, 7 h to
// install 135K): here a watch is a 32-byte node and the walk runs in C, off the event loop.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <node_api.h>
#include "share_watch.h"
#include "share_watcher.h"

#define PATH_LIMIT 4096

static void close_fds(share_watcher *w) {
  if (w->wake_fd >= 0) close(w->wake_fd);
  if (w->inotify_fd >= 0) close(w->inotify_fd);
  w->wake_fd = w->inotify_fd = -1;
}

static void wake(share_watcher *w) {
  uint64_t one = 1;
  if (write(w->wake_fd, &one, sizeof one) < 0) {
    // Fails only when the counter is full, which means a wake-up is already pending.
  }
}

// Ends the thread (it frees what it owns), drops queued commands, closes the descriptors.
// Safe to call twice (stopShareWatch, then the handle's finalizer or the env's cleanup).
static void stop_watcher(share_watcher *w) {
  if (w->stopped) return;
  w->stopped = 1;
  __atomic_store_n(&w->stopping, 1, __ATOMIC_RELEASE);
  wake(w);
  if (w->thread_started) pthread_join(w->thread, NULL);
  napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
  for (command *c = w->commands, *next; c != NULL; c = next) {
    next = c->next;
    free(c->path);
    free(c);
  }
  w->commands = w->commands_tail = NULL;
  close_fds(w);
}

static void cleanup_hook(void *arg) {
  stop_watcher(arg);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)hint;
  share_watcher *w = data;
  stop_watcher(w);
  napi_remove_env_cleanup_hook(env, cleanup_hook, w);
  pthread_mutex_destroy(&w->lock);
  free(w);
}

static void set_number(napi_env env, napi_value object, const char *key, double number) {
  napi_value value;
  napi_create_double(env, number, &value);
  napi_set_named_property(env, object, key, value);
}

static void set_bool(napi_env env, napi_value object, const char *key, int flag) {
  napi_value value;
  napi_get_boolean(env, flag != 0, &value);
  napi_set_named_property(env, object, key, value);
}

static void set_string(napi_env env, napi_value object, const char *key, const char *text) {
  napi_value value;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, object, key, value);
}

static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  share_watcher *w = context;
  share_batch *b = data;
  if (env != NULL && callback != NULL) {
    napi_value result, progress, errors, item, undefined;
    napi_create_object(env, &result);
    napi_create_array_with_length(env, b->progress_count, &progress);
    for (size_t i = 0; i < b->progress_count; i++) {
      napi_create_object(env, &item);
      set_number(env, item, "id", b->progress[i].id);
      set_number(env, item, "scanned", (double)b->progress[i].scanned);
      set_number(env, item, "fixed", (double)b->progress[i].fixed);
      set_bool(env, item, "done", b->progress[i].done);
      set_bool(env, item, "cancelled", b->progress[i].cancelled);
      napi_set_element(env, progress, (uint32_t)i, item);
    }
    napi_set_named_property(env, result, "progress", progress);
    set_number(env, result, "fixed", (double)b->fixed);
    set_number(env, result, "overflows", (double)b->overflows);
    napi_create_array_with_length(env, b->error_count, &errors);
    for (size_t i = 0; i < b->error_count; i++) {
      napi_create_object(env, &item);
      set_number(env, item, "id", b->errors[i].id);
      set_string(env, item, "path", b->errors[i].path);
      set_string(env, item, "message", b->errors[i].message);
      napi_set_element(env, errors, (uint32_t)i, item);
    }
    napi_set_named_property(env, result, "errors", errors);
    napi_value roots;
    napi_create_array_with_length(env, b->roots_changed_count, &roots);
    for (size_t i = 0; i < b->roots_changed_count; i++) {
      napi_create_double(env, (double)b->roots_changed[i], &item);
      napi_set_element(env, roots, (uint32_t)i, item);
    }
    napi_set_named_property(env, result, "rootsChanged", roots);
    napi_create_array_with_length(env, b->roots_moved_count, &roots);
    for (size_t i = 0; i < b->roots_moved_count; i++) {
      napi_create_double(env, (double)b->roots_moved[i], &item);
      napi_set_element(env, roots, (uint32_t)i, item);
    }
    napi_set_named_property(env, result, "rootsMoved", roots);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, callback, 1, &result, NULL);
  }
  free_share_batch(b);
  if (w != NULL) __atomic_store_n(&w->in_flight, 0, __ATOMIC_RELEASE);
}

// The watcher behind a handle argument; NULL (with a TypeError) when it is not one, or stopped.
static share_watcher *get_watcher(napi_env env, napi_value value, const char *usage) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  share_watcher *w = data;
  if (w->stopped) {
    napi_throw_error(env, NULL, "the share watcher is stopped");
    return NULL;
  }
  return w;
}

static napi_value start_share_watch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "startShareWatch(callback) needs a function");
    return NULL;
  }
  share_watcher *w = calloc(1, sizeof *w);
  if (w == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  w->tree.free_head = -1;
  for (size_t i = 0; i < sizeof w->fd_cache / sizeof w->fd_cache[0]; i++) w->fd_cache[i].fd = -1;
  pthread_mutex_init(&w->lock, NULL);
  w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  int saved = errno;
  napi_value name;
  napi_create_string_utf8(env, "licorn-share-watch", NAPI_AUTO_LENGTH, &name);
  if (w->wake_fd < 0 || w->inotify_fd < 0 ||
      napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, w, call_js, &w->tsfn) != napi_ok) {
    close_fds(w);
    free(w);
    napi_throw_error(env, NULL, saved == EMFILE ? "startShareWatch: fs.inotify.max_user_instances reached"
                                                : "startShareWatch: cannot open inotify or an eventfd");
    return NULL;
  }
  // The watcher never keeps the process alive by itself (as fs.watch with persistent: false).
  napi_unref_threadsafe_function(env, w->tsfn);
  if (pthread_create(&w->thread, NULL, run_share_watcher, w) != 0) {
    w->stopped = 1;
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    close_fds(w);
    free(w);
    napi_throw_error(env, NULL, "startShareWatch: cannot start its thread");
    return NULL;
  }
  w->thread_started = 1;
  napi_add_env_cleanup_hook(env, cleanup_hook, w);
  napi_value handle;
  napi_create_external(env, w, finalize_handle, NULL, &handle);
  return handle;
}

static void queue_command(share_watcher *w, command *c) {
  pthread_mutex_lock(&w->lock);
  if (w->commands_tail != NULL) w->commands_tail->next = c;
  else w->commands = c;
  w->commands_tail = c;
  pthread_mutex_unlock(&w->lock);
  wake(w);
}

// Reads a share's id (an integer from 0 to 2^32-1, a GID); 0, or -1 with a thrown error.
static int get_id(napi_env env, napi_value value, share_id *id) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= 0 && number <= 4294967295.0) ||
      number != (double)(share_id)number) {
    napi_throw_type_error(env, NULL, "a share's id must be an integer from 0 to 2^32-1");
    return -1;
  }
  *id = (share_id)number;
  return 0;
}

// Reads the rule's path, ACLs and sticky flag into `c`; 0, or -1 with a thrown error.
static int parse_rule(napi_env env, napi_value rule, command *c) {
  napi_value value;
  size_t length = 0;
  if (napi_get_named_property(env, rule, "id", &value) != napi_ok || get_id(env, value, &c->id) < 0) return -1;
  if (napi_get_named_property(env, rule, "path", &value) != napi_ok ||
      napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok || length == 0 || length >= PATH_LIMIT) {
    napi_throw_type_error(env, NULL, "a share's path must be a string of 1 to 4095 bytes");
    return -1;
  }
  c->path = malloc(length + 1);
  if (c->path == NULL) return napi_throw_error(env, NULL, "out of memory"), -1;
  napi_get_value_string_utf8(env, value, c->path, length + 1, &length);
  if (c->path[0] != '/' || strlen(c->path) != length) {
    napi_throw_range_error(env, NULL, "a share's path must be absolute and hold no NUL byte");
    return -1;
  }
  const struct { const char *key; acl_blob *blob; } acls[] = {
    {"directoryAcl", &c->rule.directory}, {"directoryDefaultAcl", &c->rule.directory_default},
    {"fileAcl", &c->rule.file}, {"executableFileAcl", &c->rule.executable},
  };
  for (size_t i = 0; i < sizeof acls / sizeof acls[0]; i++) {
    const char *failure = napi_get_named_property(env, rule, acls[i].key, &value) == napi_ok
                            ? parse_acl_entries(env, value, acls[i].blob) : "missing";
    if (failure != NULL) {
      char message[200];
      snprintf(message, sizeof message, "%s: %s", acls[i].key, failure);
      napi_throw_range_error(env, NULL, message);
      return -1;
    }
  }
  bool sticky = false;
  if (napi_get_named_property(env, rule, "sticky", &value) != napi_ok ||
      napi_get_value_bool(env, value, &sticky) != napi_ok) {
    napi_throw_type_error(env, NULL, "a share's sticky must be a boolean");
    return -1;
  }
  c->rule.sticky = sticky;
  return 0;
}

static napi_value set_share_rule(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  const char *usage = "setShareRule(handle, rule, repair) needs the handle, a rule and a boolean";
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  share_watcher *w = get_watcher(env, argv[0], usage);
  if (w == NULL) return NULL;
  command *c = calloc(1, sizeof *c);
  bool repair = false;
  if (c == NULL) return napi_throw_error(env, NULL, "out of memory"), NULL;
  if (parse_rule(env, argv[1], c) < 0 || napi_get_value_bool(env, argv[2], &repair) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_type_error(env, NULL, usage);
    free(c->path);
    free(c);
    return NULL;
  }
  c->kind = COMMAND_SET;
  c->repair = repair;
  queue_command(w, c);
  return NULL;
}

// removeShare and cancelShareRepair: (handle, id).
static napi_value queue_id_command(napi_env env, napi_callback_info info, command_kind kind, const char *usage) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  share_watcher *w = get_watcher(env, argv[0], usage);
  command *c;
  if (w == NULL) return NULL;
  if ((c = calloc(1, sizeof *c)) == NULL) return napi_throw_error(env, NULL, "out of memory"), NULL;
  if (get_id(env, argv[1], &c->id) < 0) {
    free(c);
    return NULL;
  }
  c->kind = kind;
  queue_command(w, c);
  return NULL;
}

static napi_value remove_share(napi_env env, napi_callback_info info) {
  return queue_id_command(env, info, COMMAND_REMOVE, "removeShare(handle, id) needs the handle and an id");
}

static napi_value cancel_share_repair(napi_env env, napi_callback_info info) {
  return queue_id_command(env, info, COMMAND_CANCEL, "cancelShareRepair(handle, id) needs the handle and an id");
}

static napi_value get_share_watch_figures(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  share_watcher *w = get_watcher(env, argv[0], "getShareWatchFigures(handle) needs the handle");
  if (w == NULL) return NULL;
  // The kernel counts bytes; an event with a short name takes 32 of them.
  int bytes = 0;
  if (ioctl(w->inotify_fd, FIONREAD, &bytes) < 0) bytes = 0;
  napi_create_object(env, &result);
  set_number(env, result, "watches", (double)__atomic_load_n(&w->watches, __ATOMIC_RELAXED));
  set_number(env, result, "queued", (double)((bytes + 31) / 32));
  set_number(env, result, "overflows", (double)__atomic_load_n(&w->overflows_total, __ATOMIC_RELAXED));
  set_number(env, result, "fixed", (double)__atomic_load_n(&w->fixed_total, __ATOMIC_RELAXED));
  set_number(env, result, "scanning", (double)__atomic_load_n(&w->scanning, __ATOMIC_RELAXED));
  set_number(env, result, "budget", (double)__atomic_load_n(&w->max_watches, __ATOMIC_RELAXED));
  set_number(env, result, "refused", (double)__atomic_load_n(&w->refused_total, __ATOMIC_RELAXED));
  return result;
}

// setShareWatchBudget(handle, max): the most directories watched from now on (0: no budget); those
// watched already stay.
static napi_value set_share_watch_budget(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  const char *usage = "setShareWatchBudget(handle, max) needs the handle and an integer from 0 to 2^31";
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  share_watcher *w = get_watcher(env, argv[0], usage);
  double max;
  if (w == NULL) return NULL;
  if (napi_get_value_double(env, argv[1], &max) != napi_ok || !(max >= 0 && max <= 2147483648.0) ||
      max != (double)(int64_t)max) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  __atomic_store_n(&w->max_watches, (int64_t)max, __ATOMIC_RELAXED);
  return NULL;
}

static napi_value stop_share_watch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "stopShareWatch(handle) needs the handle startShareWatch returned");
    return NULL;
  }
  stop_watcher(data);
  return NULL;
}

void register_share_watch(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"startShareWatch", NULL, start_share_watch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setShareRule", NULL, set_share_rule, NULL, NULL, NULL, napi_enumerable, NULL},
    {"removeShare", NULL, remove_share, NULL, NULL, NULL, napi_enumerable, NULL},
    {"cancelShareRepair", NULL, cancel_share_repair, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setShareWatchBudget", NULL, set_share_watch_budget, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getShareWatchFigures", NULL, get_share_watch_figures, NULL, NULL, NULL, napi_enumerable, NULL},
    {"stopShareWatch", NULL, stop_share_watch, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
}
