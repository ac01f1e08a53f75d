// getPeerCredentials(fd) -> { pid, uid, gid }: who is at the other end of a connected Unix
// socket, as the kernel recorded it when that process called connect(2) (SO_PEERCRED). The
// local socket (server/web/local/) decides a caller's rights from it: Node exposes no
// getsockopt. The uid and gid are translated into our user namespace by the kernel (a
// process that is "root" in its own namespace shows its real uid, or the overflow uid);
// the pid is 0 when the peer's pid namespace is not visible from ours.
// Throws (an Error with `code` set to the errno name, e.g. ENOTSOCK, EBADF) when the
// descriptor is not a connected Unix socket.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <node_api.h>
#include "peer_credentials.h"

static void throw_errno(napi_env env, int error) {
  const char *code = error == EBADF      ? "EBADF"
                     : error == ENOTSOCK ? "ENOTSOCK"
                     : error == ENOTCONN ? "ENOTCONN"
                                         : "EIO";
  char message[160];
  snprintf(message, sizeof message, "getPeerCredentials: %s", strerror(error));
  napi_throw_error(env, code, message);
}

static napi_value set_number(napi_env env, napi_value object, const char *name, double value) {
  napi_value number;
  if (napi_create_double(env, value, &number) != napi_ok) return NULL;
  if (napi_set_named_property(env, object, name, number) != napi_ok) return NULL;
  return object;
}

static napi_value get_peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "getPeerCredentials(fd): fd must be a descriptor number");
    return NULL;
  }
  struct ucred credentials;
  socklen_t length = sizeof credentials;
  memset(&credentials, 0, sizeof credentials);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
    throw_errno(env, errno);
    return NULL;
  }
  if (length != sizeof credentials) {
    throw_errno(env, EIO);
    return NULL;
  }
  napi_value result;
  if (napi_create_object(env, &result) != napi_ok) return NULL;
  if (!set_number(env, result, "pid", credentials.pid)) return NULL;
  if (!set_number(env, result, "uid", credentials.uid)) return NULL;
  if (!set_number(env, result, "gid", credentials.gid)) return NULL;
  return result;
}

void register_peer_credentials(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"getPeerCredentials", NULL, get_peer_credentials, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 1, properties);
}
