// licorn_native: what Node lacks for managing a Linux machine.
// - crypt(phrase, setting) -> Promise<string>: libxcrypt's crypt_rn on a libuv worker thread,
//   so yescrypt's deliberate slowness never blocks the event loop.
// - gensalt(prefix, count) -> string: crypt_gensalt_rn with the kernel's random bytes.
// - tryLockFile(path) -> fd or -1, unlockFile(fd): the fcntl write lock lckpwdf(3) takes on
//   /etc/.pwd.lock, without blocking (the caller retries), so shadow-utils and we exclude
//   each other. Node has no fcntl.
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"crypt", NULL, crypt_async, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gensalt", NULL, gensalt, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tryLockFile", NULL, try_lock_file, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unlockFile", NULL, unlock_file, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, 4, properties));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
