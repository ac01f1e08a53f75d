// readDevices(requests, callback) -> handle and abandonDeviceReads(handle): the reads that a
// device which stopped answering (a dying disk, a loop over a hung FUSE or NFS file) can leave
// asleep in the kernel for good: libblkid's probe of a device (blkid_probe.c), statfs(2) of a
// mount point, stat(2) of a loop's backing file. They run one after another on a thread of
// their own, with one callback per request (index, answer or null) and a last one (-1, null)
// when the thread ends. Never on libuv's pool, whose four threads a single hung read would
// hold for good (every fs call of the daemon would queue behind them); never in a child
// process per request either (a process start per device made discovery 12× lsblk).
// abandonDeviceReads() tells the thread to stop after the request it is on and lets the
// process exit without it: the caller's deadline gave up on it; the thread ends, and says so
// (-1), when the kernel lets its read go.
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <node_api.h>
#include "blkid_probe.h"
#include "device_reads.h"

#define MAX_REQUESTS 4096

enum { READ_PROBE, READ_STATFS, READ_STAT };

// One request's answer.
typedef struct {
  int index;
  int op;
  int ok;
  union {
    probe_values probe;
    struct statfs fs;
    struct stat st;
  } u;
} read_result;

// One call: its requests, its thread-safe function, and three owners (the thread, the
// thread-safe function, the handle JavaScript holds): the last one to let go frees it.
typedef struct {
  atomic_int owners;
  atomic_int abandoned;
  int done_delivered;
  napi_threadsafe_function tsfn;
  size_t count;
  int *ops;
  char **paths;
} read_job;

static void release_job(read_job *job) {
  if (atomic_fetch_sub(&job->owners, 1) != 1) return;
  for (size_t i = 0; i < job->count; i++) free(job->paths[i]);
  free(job->paths);
  free(job->ops);
  free(job);
}

static void run_request(int op, const char *path, read_result *result) {
  if (op == READ_PROBE) {
    probe_device(path, &result->u.probe);
    result->ok = result->u.probe.status == 0;
  } else if (op == READ_STATFS) {
    result->ok = statfs(path, &result->u.fs) == 0;
  } else {
    result->ok = stat(path, &result->u.st) == 0;
  }
}

static void *run_reads(void *arg) {
  read_job *job = arg;
  // Named, so that a thread left asleep on a hung device can be seen in /proc/<pid>/task/*/comm.
  pthread_setname_np(pthread_self(), "licorn-devread");
  for (size_t i = 0; i <= job->count; i++) {
    read_result *result = calloc(1, sizeof *result);
    if (result == NULL) break;
    result->index = i == job->count || atomic_load(&job->abandoned) ? -1 : (int)i;
    if (result->index >= 0) {
      result->op = job->ops[i];
      run_request(job->ops[i], job->paths[i], result);
    }
    int last = result->index < 0;
    if (napi_call_threadsafe_function(job->tsfn, result, napi_tsfn_blocking) != napi_ok) {
      free(result);
      break;
    }
    if (last) break;
  }
  napi_release_threadsafe_function(job->tsfn, napi_tsfn_release);
  release_job(job);
  return NULL;
}

static void set_number(napi_env env, napi_value object, const char *key, double number) {
  napi_value value;
  napi_create_double(env, number, &value);
  napi_set_named_property(env, object, key, value);
}

static void set_string(napi_env env, napi_value object, const char *key, const char *text) {
  napi_value value;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, object, key, value);
}

// The answer as JavaScript sees it: a probe's values as raw bytes (a label may hold anything:
// JavaScript decodes it), statfs's counts, stat's type, device number and modification time.
static napi_value create_answer(napi_env env, const read_result *result) {
  napi_value answer;
  if (!result->ok) {
    napi_get_null(env, &answer);
    return answer;
  }
  napi_create_object(env, &answer);
  if (result->op == READ_PROBE) {
    const probe_values *probe = &result->u.probe;
    for (size_t i = 0; i < PROBE_VALUE_COUNT; i++) {
      napi_value buffer;
      if (!probe->present[i] ||
          napi_create_buffer_copy(env, probe->lengths[i], probe->values[i], NULL, &buffer) != napi_ok)
        continue;
      napi_set_named_property(env, answer, probe_value_names[i], buffer);
    }
  } else if (result->op == READ_STATFS) {
    const struct statfs *fs = &result->u.fs;
    set_number(env, answer, "blocks", (double)fs->f_blocks);
    set_number(env, answer, "free", (double)fs->f_bfree);
    set_number(env, answer, "available", (double)fs->f_bavail);
    set_number(env, answer, "blockSize", (double)(fs->f_frsize ? fs->f_frsize : fs->f_bsize));
  } else {
    const struct stat *st = &result->u.st;
    char text[64];
    if (S_ISBLK(st->st_mode)) {
      snprintf(text, sizeof text, "%u:%u", major(st->st_rdev), minor(st->st_rdev));
      set_string(env, answer, "rdev", text);
    }
    snprintf(text, sizeof text, "%lld.%09ld", (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
    set_string(env, answer, "mtime", text);
  }
  return answer;
}

static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  read_job *job = context;
  read_result *result = data;
  if (env != NULL && callback != NULL) {
    if (result->index < 0) job->done_delivered = 1;
    napi_value argv[2], undefined;
    napi_create_int32(env, result->index, &argv[0]);
    argv[1] = create_answer(env, result);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, callback, 2, argv, NULL);
  }
  free(result);
}

static void finalize_job(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release_job(data);
}

static int get_op(const char *name) {
  if (strcmp(name, "probe") == 0) return READ_PROBE;
  if (strcmp(name, "statfs") == 0) return READ_STATFS;
  if (strcmp(name, "stat") == 0) return READ_STAT;
  return -1;
}

// Reads requests[] ([op, absolute path] pairs, at most MAX_REQUESTS, no NUL in a path).
static int read_requests(napi_env env, napi_value array, read_job *job) {
  bool is_array = false;
  uint32_t count = 0;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array) return 0;
  napi_get_array_length(env, array, &count);
  if (count > MAX_REQUESTS) return 0;
  job->paths = calloc(count ? count : 1, sizeof *job->paths);
  job->ops = calloc(count ? count : 1, sizeof *job->ops);
  if (job->paths == NULL || job->ops == NULL) return 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item, op_value, path_value;
    char op[16];
    size_t length = 0;
    if (napi_get_element(env, array, i, &item) != napi_ok || napi_get_element(env, item, 0, &op_value) != napi_ok ||
        napi_get_element(env, item, 1, &path_value) != napi_ok ||
        napi_get_value_string_utf8(env, op_value, op, sizeof op, &length) != napi_ok ||
        (job->ops[i] = get_op(op)) < 0 ||
        napi_get_value_string_utf8(env, path_value, NULL, 0, &length) != napi_ok || length == 0 ||
        length >= PATH_MAX)
      return 0;
    job->paths[i] = malloc(length + 1);
    job->count = i + 1;
    if (job->paths[i] == NULL) return 0;
    napi_get_value_string_utf8(env, path_value, job->paths[i], length + 1, &length);
    if (strlen(job->paths[i]) != length || job->paths[i][0] != '/') return 0;
  }
  return 1;
}

// readDevices([[op, path], …], callback): starts the thread; returns its handle.
static napi_value read_devices(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "readDevices(requests, callback) needs an array and a function");
    return NULL;
  }
  read_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  atomic_init(&job->owners, 1);
  if (!read_requests(env, argv[0], job)) {
    release_job(job);
    napi_throw_range_error(env, NULL,
                           "readDevices: requests must be at most 4096 [probe|statfs|stat, absolute path] pairs");
    return NULL;
  }
  napi_value name;
  napi_create_string_utf8(env, "licorn-device-reads", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, job, finalize_job, job, call_js,
                                      &job->tsfn) != napi_ok) {
    release_job(job);
    napi_throw_error(env, NULL, "readDevices: cannot create its thread-safe function");
    return NULL;
  }
  // Owners: the thread (the first), the thread-safe function (its finalizer), then the handle.
  atomic_fetch_add(&job->owners, 1);
  pthread_attr_t attributes;
  pthread_t thread;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  int started = pthread_create(&thread, &attributes, run_reads, job) == 0;
  pthread_attr_destroy(&attributes);
  if (!started) {
    napi_release_threadsafe_function(job->tsfn, napi_tsfn_abort);
    release_job(job);
    napi_throw_error(env, NULL, "readDevices: cannot start its thread");
    return NULL;
  }
  napi_value handle;
  if (napi_create_external(env, job, finalize_job, NULL, &handle) != napi_ok) {
    napi_throw_error(env, NULL, "readDevices: cannot create its handle");
    return NULL;
  }
  atomic_fetch_add(&job->owners, 1);
  return handle;
}

// abandonDeviceReads(handle): the thread stops after the request it is on, and no longer keeps
// the process alive (it may never come back from a hung device).
static napi_value abandon_device_reads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "abandonDeviceReads(handle) needs a handle from readDevices");
    return NULL;
  }
  read_job *job = data;
  if (!atomic_exchange(&job->abandoned, 1) && !job->done_delivered) napi_unref_threadsafe_function(env, job->tsfn);
  return NULL;
}

void register_device_reads(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"readDevices", NULL, read_devices, NULL, NULL, NULL, napi_enumerable, NULL},
    {"abandonDeviceReads", NULL, abandon_device_reads, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
}
