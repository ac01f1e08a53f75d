// tuneMalloc(mmapThreshold) -> boolean: glibc's mallopt(3) M_MMAP_THRESHOLD for the rest of
// the process's life, as the MALLOC_MMAP_THRESHOLD_ environment variable would at its start
// (which every way of starting the daemon would have to set). false when glibc refused it (or
// this is not glibc).
// trimMalloc() -> boolean: glibc's malloc_trim(0), every arena's free pages given back to the
// system; whether any were. The daemon's values and reasons are in server/native/native.ts.
#include <malloc.h>
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

void register_malloc_tuning(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"tuneMalloc", NULL, tune_malloc, NULL, NULL, NULL, napi_enumerable, NULL},
    {"trimMalloc", NULL, trim_malloc, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 2, properties);
}
