// licorn_native's string arguments (string_arg.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "string_arg.h"

// Reads a string argument into a fresh heap buffer; NULL (with a pending exception) if it is
// not a string, is too long or holds a NUL byte (crypt would silently truncate at it).
char *get_string_arg(napi_env env, napi_value value, const char *name) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "%s must be a string", name);
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  if (length > LICORN_MAX_INPUT) {
    char message[96];
    snprintf(message, sizeof message, "%s is longer than %d bytes", name, LICORN_MAX_INPUT);
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
