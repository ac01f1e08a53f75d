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
//   libpam.so.0 is opened at the first call (pam-abi.h says why).
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
// - getPeerCredentials(fd) -> { pid, uid, gid }: a Unix socket peer's SO_PEERCRED (peer_credentials.c).
// - startShareWatch(callback) and its setShareRule, removeShare, cancelShareRepair,
//   getShareWatchFigures, stopShareWatch: every group share's ACL rule kept by inotify, from
//   one thread (share_watch.c).
#include <crypt.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pam-abi.h"
#include "block_watch.h"
#include "holder_scan.h"
#include "device_reads.h"
#include "sysfs_blocks.h"
#include "peer_credentials.h"
#include "share_link.h"
#include "share_watch.h"

#define MAX_INPUT 4096

#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error((env), NULL, "licorn_native: N-API call failed");   \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char *phrase;
  char *setting;
  struct crypt_data data;
  const char *result;
  int error;
} crypt_job;

// Reads a string argument into a fresh heap buffer; NULL (with a pending exception) if it is
// not a string, is too long or holds a NUL byte (crypt would silently truncate at it).
static char *get_string_arg(napi_env env, napi_value value, const char *name) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "%s must be a string", name);
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  if (length > MAX_INPUT) {
    char message[96];
    snprintf(message, sizeof message, "%s is longer than %d bytes", name, MAX_INPUT);
    napi_throw_range_error(env, NULL, message);
    return NULL;
  }
  char *buffer = malloc(length + 1);
  if (buffer == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, value, buffer, length + 1, &length);
  if (strlen(buffer) != length) {
    free(buffer);
    char message[96];
    snprintf(message, sizeof message, "%s must not contain a NUL byte", name);
    napi_throw_range_error(env, NULL, message);
    return NULL;
  }
  return buffer;
}

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

// ---- PAM -------------------------------------------------------------------------------
// One PAM transaction on a libuv worker thread (pam_unix spends ~2 s on a wrong password in
// its own code paths and yescrypt's cost in ours: never on the event loop). The
// conversation answers the hidden prompts (PAM_PROMPT_ECHO_OFF) with the given passwords in
// order, refuses visible ones, and keeps PAM's messages ("You must wait longer to change
// your password") for the caller. PAM_FAIL_DELAY is set to a function that does not sleep:
// the caller pads every refusal to one fixed delay, whatever PAM's reason.

// libpam's functions, found in libpam.so.0 at the first PAM call (on the main thread, before
// any worker uses them).
static struct {
  int (*start)(const char *service, const char *user, const struct pam_conv *conv, pam_handle_t **handle);
  int (*end)(pam_handle_t *handle, int status);
  int (*set_item)(pam_handle_t *handle, int type, const void *item);
  int (*authenticate)(pam_handle_t *handle, int flags);
  int (*acct_mgmt)(pam_handle_t *handle, int flags);
  int (*chauthtok)(pam_handle_t *handle, int flags);
} pam;

// Opens libpam.so.0 once; NULL when every function was found, else why not.
static const char *load_pam(void) {
  static int tried = 0;
  static const char *failure = NULL;
  if (tried) return failure;
  tried = 1;
  void *library = dlopen("libpam.so.0", RTLD_NOW | RTLD_GLOBAL);
  if (library == NULL) return failure = "PAM: cannot open libpam.so.0 (Debian package libpam0g)";
  struct { void **slot; const char *name; } symbols[] = {
    {(void **)&pam.start, "pam_start"}, {(void **)&pam.end, "pam_end"},
    {(void **)&pam.set_item, "pam_set_item"}, {(void **)&pam.authenticate, "pam_authenticate"},
    {(void **)&pam.acct_mgmt, "pam_acct_mgmt"}, {(void **)&pam.chauthtok, "pam_chauthtok"},
  };
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
    *symbols[i].slot = dlsym(library, symbols[i].name);
    if (*symbols[i].slot == NULL) return failure = "PAM: libpam.so.0 lacks a function licorn needs";
  }
  return NULL;
}

#define PAM_MAX_ANSWERS 3
#define PAM_MESSAGES_SIZE 2048

typedef enum { PAM_JOB_LOGIN, PAM_JOB_CHANGE, PAM_JOB_ACCOUNT } pam_job_kind;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  pam_job_kind kind;
  char *service;
  char *user;
  char *rhost;
  char *answers[PAM_MAX_ANSWERS];
  int answer_count;
  int answered;
  const char *step;
  int code;
  char messages[PAM_MESSAGES_SIZE];
} pam_job;

static void free_pam_job(pam_job *job) {
  for (int i = 0; i < PAM_MAX_ANSWERS; i++) {
    if (job->answers[i] != NULL) {
      explicit_bzero(job->answers[i], strlen(job->answers[i]));
      free(job->answers[i]);
    }
  }
  free(job->service);
  free(job->user);
  free(job->rhost);
  free(job);
}

static void append_message(pam_job *job, const char *text) {
  if (text == NULL || text[0] == '\0') return;
  size_t used = strlen(job->messages);
  if (used > 0 && used + 1 < sizeof job->messages) job->messages[used++] = '\n';
  snprintf(job->messages + used, sizeof job->messages - used, "%s", text);
}

static int converse(int count, const struct pam_message **messages, struct pam_response **responses,
                    void *data) {
  pam_job *job = data;
  if (count <= 0 || count > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  struct pam_response *replies = calloc((size_t)count, sizeof *replies);
  if (replies == NULL) return PAM_BUF_ERR;
  for (int i = 0; i < count; i++) {
    switch (messages[i]->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
        // More prompts than passwords (pam_unix asking again after a refused new password):
        // give up; the refusal's message is already kept.
        if (job->answered >= job->answer_count) goto fail;
        replies[i].resp = strdup(job->answers[job->answered++]);
        if (replies[i].resp == NULL) goto fail;
        break;
      case PAM_ERROR_MSG:
      case PAM_TEXT_INFO:
        append_message(job, messages[i]->msg);
        break;
      default:
        // A visible prompt (a user name, a token code) is nothing we can answer.
        goto fail;
    }
  }
  *responses = replies;
  return PAM_SUCCESS;
fail:
  for (int i = 0; i < count; i++) {
    if (replies[i].resp != NULL) {
      explicit_bzero(replies[i].resp, strlen(replies[i].resp));
      free(replies[i].resp);
    }
  }
  free(replies);
  return PAM_CONV_ERR;
}

// Called by libpam instead of sleeping after a failure: the caller pads every refusal itself.
static void skip_fail_delay(int status, unsigned int delay, void *data) {
  (void)status;
  (void)delay;
  (void)data;
}

static void execute_pam(napi_env env, void *arg) {
  (void)env;
  pam_job *job = arg;
  struct pam_conv conversation = {converse, job};
  pam_handle_t *handle = NULL;
  job->step = "start";
  job->code = pam.start(job->service, job->user, &conversation, &handle);
  if (job->code != PAM_SUCCESS) return;
  void (*delay_function)(int, unsigned int, void *) = skip_fail_delay;
  job->code = pam.set_item(handle, PAM_RHOST, job->rhost);
  if (job->code == PAM_SUCCESS) job->code = pam.set_item(handle, PAM_FAIL_DELAY, *(void **)&delay_function);
  if (job->code == PAM_SUCCESS && job->kind == PAM_JOB_LOGIN) {
    job->step = "authenticate";
    job->code = pam.authenticate(handle, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    if (job->code == PAM_SUCCESS) {
      job->step = "account";
      job->code = pam.acct_mgmt(handle, PAM_DISALLOW_NULL_AUTHTOK);
    }
  } else if (job->code == PAM_SUCCESS && job->kind == PAM_JOB_ACCOUNT) {
    // The account stage alone: a caller the kernel (SO_PEERCRED) or an API token vouches for.
    job->step = "account";
    job->code = pam.acct_mgmt(handle, PAM_SILENT);
  } else if (job->code == PAM_SUCCESS) {
    // PAM_CHANGE_EXPIRED_AUTHTOK: as `passwd` run by the account itself (and `login` with
    // an expired password), not as root: pam_unix then asks and checks the current
    // password and applies the minimum age and its checks of the new one.
    job->step = "chauthtok";
    job->code = pam.chauthtok(handle, PAM_CHANGE_EXPIRED_AUTHTOK);
  }
  pam.end(handle, job->code);
}

// The PAM result codes the caller tells apart; any other is "error".
static const char *get_pam_code_name(int code) {
  switch (code) {
    case PAM_SUCCESS: return "success";
    case PAM_AUTH_ERR: return "auth-err";
    case PAM_USER_UNKNOWN: return "user-unknown";
    case PAM_MAXTRIES: return "maxtries";
    case PAM_NEW_AUTHTOK_REQD: return "new-authtok-reqd";
    case PAM_ACCT_EXPIRED: return "acct-expired";
    case PAM_AUTHTOK_EXPIRED: return "authtok-expired";
    case PAM_PERM_DENIED: return "perm-denied";
    case PAM_AUTHTOK_ERR: return "authtok-err";
    case PAM_AUTHTOK_LOCK_BUSY: return "authtok-lock-busy";
    case PAM_TRY_AGAIN: return "try-again";
    case PAM_CONV_ERR: return "conv-err";
    default: return "error";
  }
}

static void complete_pam(napi_env env, napi_status status, void *arg) {
  pam_job *job = arg;
  napi_value result, value;
  if (status != napi_ok) {
    napi_value message;
    napi_create_string_utf8(env, "pam: the worker was cancelled", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &result);
    napi_reject_deferred(env, job->deferred, result);
  } else {
    napi_create_object(env, &result);
    napi_create_string_utf8(env, job->step, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "step", value);
    napi_create_string_utf8(env, get_pam_code_name(job->code), NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "code", value);
    napi_create_string_utf8(env, job->messages, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "messages", value);
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free_pam_job(job);
}

// pam(kind, service, user, remoteHost, ...passwords) for both exports below.
static napi_value start_pam_job(napi_env env, napi_callback_info info, pam_job_kind kind) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t needed = kind == PAM_JOB_ACCOUNT ? 3 : kind == PAM_JOB_LOGIN ? 4 : 5;
  if (argc < needed) {
    napi_throw_type_error(env, NULL, kind == PAM_JOB_ACCOUNT ? "pamAccount(service, user, remoteHost) needs three strings"
      : kind == PAM_JOB_LOGIN ? "pamLogin(service, user, remoteHost, password) needs four strings"
      : "pamChangePassword(service, user, remoteHost, oldPassword, newPassword) needs five strings");
    return NULL;
  }
  const char *failure = load_pam();
  if (failure != NULL) {
    napi_throw_error(env, NULL, failure);
    return NULL;
  }
  pam_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  job->kind = kind;
  if ((job->service = get_string_arg(env, argv[0], "service")) == NULL
      || (job->user = get_string_arg(env, argv[1], "user")) == NULL
      || (job->rhost = get_string_arg(env, argv[2], "remoteHost")) == NULL) {
    free_pam_job(job);
    return NULL;
  }
  // The new password is asked twice (new, then retyped).
  napi_value sources[PAM_MAX_ANSWERS] = {argv[3], argv[4], argv[4]};
  job->answer_count = kind == PAM_JOB_ACCOUNT ? 0 : kind == PAM_JOB_LOGIN ? 1 : 3;
  for (int i = 0; i < job->answer_count; i++) {
    job->answers[i] = get_string_arg(env, sources[i], "password");
    if (job->answers[i] == NULL) {
      free_pam_job(job);
      return NULL;
    }
  }
  napi_value promise, name;
  CHECK(env, napi_create_promise(env, &job->deferred, &promise));
  CHECK(env, napi_create_string_utf8(env, "licorn-pam", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_create_async_work(env, NULL, name, execute_pam, complete_pam, job, &job->work));
  CHECK(env, napi_queue_async_work(env, job->work));
  return promise;
}

static napi_value pam_login(napi_env env, napi_callback_info info) {
  return start_pam_job(env, info, PAM_JOB_LOGIN);
}

static napi_value pam_change_password(napi_env env, napi_callback_info info) {
  return start_pam_job(env, info, PAM_JOB_CHANGE);
}

static napi_value pam_account(napi_env env, napi_callback_info info) {
  return start_pam_job(env, info, PAM_JOB_ACCOUNT);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"crypt", NULL, crypt_async, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gensalt", NULL, gensalt, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tryLockFile", NULL, try_lock_file, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unlockFile", NULL, unlock_file, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pamLogin", NULL, pam_login, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pamChangePassword", NULL, pam_change_password, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pamAccount", NULL, pam_account, NULL, NULL, NULL, napi_enumerable, NULL},
    {"markCloseOnExec", NULL, mark_close_on_exec, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, 8, properties));
  register_block_watch(env, exports);
  register_holder_scan(env, exports);
  register_device_reads(env, exports);
  register_sysfs_blocks(env, exports);
  register_peer_credentials(env, exports);
  register_share_watch(env, exports);
  register_share_link(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
