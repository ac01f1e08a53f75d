// Makes a member's `~/G` link as the member, on a worker thread: the home is opened without
// following a symlink and checked to be the account's, then symlinkat(2) runs with the thread's
// filesystem uid and gid set to the account's (setfsuid/setfsgid are per thread: the other
// threads keep root's). The link is born the member's, so root never chowns it by name: a
// member who swapped the new link for a hard link between symlink and lchown made root chown
// the linked file to her (red team F2, issue 16).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>
#include <node_api.h>
#include "share_link.h"

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char home[PATH_MAX], name[NAME_MAX + 1], target[PATH_MAX];
  uint32_t uid, gid;
  int error;  // errno, or 0
  int exists; // the name was taken (EEXIST)
} link_job;

static void execute_link(napi_env env, void *data) {
  (void)env;
  link_job *job = data;
  int root = geteuid() == 0;
  int dir = open(job->home, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (dir < 0 || fstat(dir, &st) < 0) {
    job->error = errno;
    if (dir >= 0) close(dir);
    return;
  }
  // The home as opened must be the account's (a daemon that is not root made every home itself).
  if (st.st_uid != (root ? job->uid : geteuid())) {
    close(dir);
    job->error = EPERM;
    return;
  }
  int old_gid = 0, old_uid = 0;
  if (root) {
    old_gid = setfsgid(job->gid);
    old_uid = setfsuid(job->uid);
    // setfsuid answers the previous id whatever happened: ask again (-1 changes nothing).
    if ((uint32_t)setfsuid((uid_t)-1) != job->uid || (uint32_t)setfsgid((gid_t)-1) != job->gid) {
      setfsuid(old_uid);
      setfsgid(old_gid);
      close(dir);
      job->error = EPERM;
      return;
    }
  }
  int made = symlinkat(job->target, dir, job->name);
  int saved = errno;
  if (root) {
    setfsuid(old_uid);
    setfsgid(old_gid);
  }
  close(dir);
  if (made == 0) return;
  if (saved == EEXIST) job->exists = 1;
  else job->error = saved;
}

static void complete_link(napi_env env, napi_status status, void *data) {
  link_job *job = data;
  napi_value result;
  if (status != napi_ok || job->error != 0) {
    napi_value message, error;
    napi_create_string_utf8(env, strerror(status != napi_ok ? EIO : job->error), NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  } else {
    napi_create_string_utf8(env, job->exists ? "exists" : "made", NAPI_AUTO_LENGTH, &result);
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

// Reads a string argument into `out` (of `size` bytes); 0, or -1 when it is not one or too long.
static int get_string(napi_env env, napi_value value, char *out, size_t size) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, out, size, &length) != napi_ok || length == 0 || length + 1 >= size)
    return -1;
  return strlen(out) == length ? 0 : -1; // no NUL inside
}

static napi_value make_link_as(napi_env env, napi_callback_info info) {
  const char *usage = "makeLinkAs(home, name, target, uid, gid): an absolute home, a name without '/', a target";
  size_t argc = 5;
  napi_value argv[5];
  link_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5 ||
      get_string(env, argv[0], job->home, sizeof job->home) < 0 || job->home[0] != '/' ||
      get_string(env, argv[1], job->name, sizeof job->name) < 0 || strchr(job->name, '/') != NULL ||
      strcmp(job->name, ".") == 0 || strcmp(job->name, "..") == 0 ||
      get_string(env, argv[2], job->target, sizeof job->target) < 0 ||
      napi_get_value_uint32(env, argv[3], &job->uid) != napi_ok ||
      napi_get_value_uint32(env, argv[4], &job->gid) != napi_ok) {
    free(job);
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  napi_value promise, name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "licorn-share-link", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute_link, complete_link, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    free(job);
    napi_throw_error(env, NULL, "makeLinkAs: N-API call failed");
    return NULL;
  }
  return promise;
}

void register_share_link(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"makeLinkAs", NULL, make_link_as, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 1, properties);
}
