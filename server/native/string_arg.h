// Reading N-API string arguments for licorn_native's exports (string_arg.c).
#ifndef LICORN_STRING_ARG_H
#define LICORN_STRING_ARG_H
#include <node_api.h>

// The longest string argument taken, in bytes.
#define LICORN_MAX_INPUT 4096

// Returns NULL from an export when an N-API call fails, with a pending exception.
#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error((env), NULL, "licorn_native: N-API call failed");   \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

// Reads a string argument into a fresh heap buffer; NULL (with a pending exception) if it is
// not a string, is too long or holds a NUL byte (crypt would silently truncate at it).
char *get_string_arg(napi_env env, napi_value value, const char *name);

#endif
