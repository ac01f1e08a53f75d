// licorn_native: what Node lacks for managing a Linux machine.
// - crypt(phrase, setting) -> Promise<string>: libxcrypt's crypt_rn on a libuv worker thread,
//   so yescrypt's deliberate slowness never blocks the event loop.
// - gensalt(prefix, count) -> string: crypt_gensalt_rn with the kernel's random bytes.
// - tryLockFile(path) -> fd or -1, unlockFile(fd): the fcntl write lock lckpwdf(3) takes on
//   /etc/.pwd.lock, without blocking (the caller retries), so shadow-utils and we exclude
//   each other. Node has no fcntl.
// - pamLogin(service, user, remoteHost, password), pamAccount(service, user, remoteHost) (the
//   account stage alone) and pamChangePassword(service, user,
//   remoteHost, oldPassword, newPassword) -> Promise<{ step, code, messages }>: one PAM
//   transaction (authenticate then account; or chauthtok) on a libuv worker thread.
//   libpam.so.0 is opened at the first call (pam-abi.h says why) (pam_jobs.c).
// - markCloseOnExec(): every descriptor from 3 up gets FD_CLOEXEC (close_range(2)'s
//   CLOSE_RANGE_CLOEXEC, else one by one from /proc/self/fd), so what the daemon inherited
//   from its launcher or a library opened without O_CLOEXEC reaches no child (a
//   terminal's shell: node-pty's forkpty closes nothing). Node has no fcntl.
// - watchBlockDevices(options, callback) and stopBlockWatch(handle): block devices and mounts
//   changing, from a thread asleep in poll() (block_watch.c).
// - findHolderPids(...): the processes keeping a filesystem busy, asking it nothing
//   (holder_scan.c).
// - readDevices(requests, callback) and abandonDeviceReads(handle): libblkid's probe of a device
//   (blkid_probe.c), statfs, stat, on a thread of their own that a hung device may keep
//   (device_reads.c); readSysfsBlocks(): /sys/class/block in one call (sysfs_blocks.c).
// - tuneMalloc(mmapThreshold), trimMalloc() -> boolean: glibc's mallopt, malloc_trim (malloc_tuning.c).
// - getPeerCredentials(fd) -> { pid, uid, gid }: a Unix socket peer's SO_PEERCRED (peer_credentials.c).
// - startShareWatch(callback) and its setShareRule, removeShare, cancelShareRepair,
//   getShareWatchFigures, stopShareWatch: every group share's ACL rule kept by inotify, from
//   one thread (share_watch.c).
#include <crypt.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "block_watch.h"
#include "holder_scan.h"
#include "device_reads.h"
#include "sysfs_blocks.h"
#include "peer_credentials.h"
#include "share_watch.h"
#include "malloc_tuning.h"
#include "pam_jobs.h"
#include "string_arg.h"

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char *phrase;
  char *setting;
  struct crypt_data data;
  const char *result;
  int error;
} crypt_job;


static void free_job(crypt_job *job) {
  if (job->phrase != NULL) {
    explicit_bzero(job->phrase, strlen(job->phrase));
    free(job->phrase);
  }
  free(job->setting);
  explicit_bzero(&job->data, sizeof job->data);
  free(job);
}

static void execute_crypt(napi_env env, void *arg) {
  (void)env;
  crypt_job *job = arg;
  errno = 0;
  job->result = crypt_rn(job->phrase, job->setting, &job->data, sizeof job->data);
  job->error = job->result == NULL ? (errno ? errno : EINVAL) : 0;
}

static void complete_crypt(napi_env env, napi_status status, void *arg) {
  crypt_job *job = arg;
  napi_value value;
  if (status == napi_ok && job->error == 0) {
    napi_create_string_utf8(env, job->result, NAPI_AUTO_LENGTH, &value);
    napi_resolve_deferred(env, job->deferred, value);
  } else {
    napi_value message;
    napi_create_string_utf8(env, "crypt: invalid setting or unsupported hash method",
                            NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &value);
    napi_reject_deferred(env, job->deferred, value);
  }
  napi_delete_async_work(env, job->work);
  free_job(job);
}

static napi_value crypt_async(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "crypt(phrase, setting) needs two strings");
    return NULL;
  }
  crypt_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  job->phrase = get_string_arg(env, argv[0], "phrase");
  if (job->phrase == NULL) { free_job(job); return NULL; }
  job->setting = get_string_arg(env, argv[1], "setting");
  if (job->setting == NULL) { free_job(job); return NULL; }

  napi_value promise, name;
  CHECK(env, napi_create_promise(env, &job->deferred, &promise));
  CHECK(env, napi_create_string_utf8(env, "licorn-crypt", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_create_async_work(env, NULL, name, execute_crypt, complete_crypt, job,
                                    &job->work));
  CHECK(env, napi_queue_async_work(env, job->work));
  return promise;
}

static napi_value gensalt(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "gensalt(prefix, count) needs a prefix");
    return NULL;
  }
  char *prefix = get_string_arg(env, argv[0], "prefix");
  if (prefix == NULL) return NULL;
  int64_t count = 0;
  if (argc > 1) {
    napi_valuetype type;
    CHECK(env, napi_typeof(env, argv[1], &type));
    if (type == napi_number) CHECK(env, napi_get_value_int64(env, argv[1], &count));
  }
  char output[CRYPT_GENSALT_OUTPUT_SIZE];
  errno = 0;
  const char *setting = crypt_gensalt_rn(prefix, (unsigned long)(count < 0 ? 0 : count), NULL, 0,
                                         output, sizeof output);
  free(prefix);
  if (setting == NULL) {
    napi_throw_range_error(env, NULL, "gensalt: unsupported hash method or cost");
    return NULL;
  }
  napi_value result;
  CHECK(env, napi_create_string_utf8(env, setting, NAPI_AUTO_LENGTH, &result));
  return result;
}

static napi_value try_lock_file(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "tryLockFile(path) needs a path");
    return NULL;
  }
  char *path = get_string_arg(env, argv[0], "path");
  if (path == NULL) return NULL;
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  int saved = errno;
  free(path);
  if (fd < 0) {
    char message[96];
    snprintf(message, sizeof message, "tryLockFile: cannot open the lock file (%s)", strerror(saved));
    napi_throw_error(env, NULL, message);
    return NULL;
  }
  struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  if (fcntl(fd, F_SETLK, &lock) < 0) {
    saved = errno;
    close(fd);
    if (saved != EAGAIN && saved != EACCES) {
      char message[96];
      snprintf(message, sizeof message, "tryLockFile: fcntl failed (%s)", strerror(saved));
      napi_throw_error(env, NULL, message);
      return NULL;
    }
    fd = -1;
  }
  napi_value result;
  CHECK(env, napi_create_int32(env, fd, &result));
  return result;
}

static napi_value unlock_file(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "unlockFile(fd) needs the descriptor tryLockFile returned");
    return NULL;
  }
  // Closing the descriptor releases the fcntl lock.
  close(fd);
  return NULL;
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static napi_value mark_close_on_exec(napi_env env, napi_callback_info info) {
  (void)info;
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return NULL;
#endif
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) {
    napi_throw_error(env, NULL, "markCloseOnExec: /proc/self/fd cannot be read");
    return NULL;
  }
  int own = dirfd(dir);
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    char *end;
    long fd = strtol(entry->d_name, &end, 10);
    if (*end != '\0' || fd < 3 || fd == own) continue;
    int flags = fcntl((int)fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
  }
  closedir(dir);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"crypt", NULL, crypt_async, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gensalt", NULL, gensalt, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tryLockFile", NULL, try_lock_file, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unlockFile", NULL, unlock_file, NULL, NULL, NULL, napi_enumerable, NULL},
    {"markCloseOnExec", NULL, mark_close_on_exec, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, 5, properties));
  register_pam_jobs(env, exports);
  register_malloc_tuning(env, exports);
  register_block_watch(env, exports);
  register_holder_scan(env, exports);
  register_device_reads(env, exports);
  register_sysfs_blocks(env, exports);
  register_peer_credentials(env, exports);
  register_share_watch(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
