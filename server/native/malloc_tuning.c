// tuneMalloc(mmapThreshold) -> boolean: glibc's mallopt(3) M_MMAP_THRESHOLD for the rest of
// the process's life, as the MALLOC_MMAP_THRESHOLD_ environment variable would at its start
// (which every way of starting the daemon would have to set). false when glibc refused it (or
// this is not glibc).
// trimMalloc() -> boolean: glibc's malloc_trim(0), every arena's free pages given back to the
// system; whether any were. The daemon's values and reasons are in server/native/native.ts.
// restartWithEnvironment(name, value, argv) -> false, or never returns: when `name` is not in
// the environment, sets it to `value` and execv(2)s argv (argv[0] a path) in place of this
// process (same pid, same stdio), so that glibc reads it before its first malloc.
// false when `name` was already set (the restarted process), the exec failed (then unset), this
// is not glibc (whose variables these are) or runs in secure-execution mode (AT_SECURE: a node
// given a file capability), where glibc ignores MALLOC_ variables and newer releases erase
// them, so that each restarted image would restart again.
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "malloc_tuning.h"
#include "string_arg.h"

static napi_value tune_malloc(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t threshold = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &threshold) != napi_ok || threshold <= 0) {
    napi_throw_type_error(env, NULL, "tuneMalloc(mmapThreshold) needs a positive integer");
    return NULL;
  }
#ifdef __GLIBC__
  int done = mallopt(M_MMAP_THRESHOLD, threshold) == 1;
#else
  int done = 0;
#endif
  napi_value result;
  CHECK(env, napi_get_boolean(env, done, &result));
  return result;
}

static napi_value trim_malloc(napi_env env, napi_callback_info info) {
  (void)info;
#ifdef __GLIBC__
  int released = malloc_trim(0);
#else
  int released = 0;
#endif
  napi_value result;
  CHECK(env, napi_get_boolean(env, released, &result));
  return result;
}

static void free_strings(char **strings, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) free(strings[i]);
  free(strings);
}

static napi_value restart_with_environment(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint32_t count = 0;
  bool is_array = false;
  napi_value result;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || napi_is_array(env, argv[2], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, NULL, "restartWithEnvironment(name, value, argv) needs an argv array");
    return NULL;
  }
  CHECK(env, napi_get_array_length(env, argv[2], &count));
  char *name = get_string_arg(env, argv[0], "name");
  char *value = name ? get_string_arg(env, argv[1], "value") : NULL;
  char **args = value && count > 0 ? calloc(count + 1, sizeof(char *)) : NULL;
  bool ok = args != NULL;
  for (uint32_t i = 0; ok && i < count; i++) {
    napi_value item;
    ok = napi_get_element(env, argv[2], i, &item) == napi_ok && (args[i] = get_string_arg(env, item, "argv")) != NULL;
  }
#ifdef __GLIBC__
  if (ok && getenv(name) == NULL && getauxval(AT_SECURE) == 0 && setenv(name, value, 1) == 0) {
    // Node marks its stdio close-on-exec: the restarted image would find them closed.
    for (int fd = 0; fd < 3; fd++) fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
    execv(args[0], args);
    unsetenv(name);
  }
#endif
  if (args) free_strings(args, count);
  free(name);
  free(value);
  CHECK(env, napi_get_boolean(env, false, &result));
  return result;
}

void register_malloc_tuning(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"tuneMalloc", NULL, tune_malloc, NULL, NULL, NULL, napi_enumerable, NULL},
    {"trimMalloc", NULL, trim_malloc, NULL, NULL, NULL, napi_enumerable, NULL},
    {"restartWithEnvironment", NULL, restart_with_environment, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 3, properties);
}
