// findHolderPids(procDir, major, minor, mountIds, pids) -> Promise<number[]>: the processes that
// keep a filesystem busy (an open file, a current or root directory, a mapped file), scanned
// on a libuv worker thread. Each /proc link is looked at with statx(AT_STATX_DONT_SYNC,
// STATX_MNT_ID): the device and mount come from the kernel's cached inode, and a FUSE or NFS
// server that stopped answering is never asked (Node's stat() asks it, and a thread of the
// pool then hangs for good). `pids` narrows the scan (a check again before a signal).
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "holder_scan.h"

#define MAX_MOUNT_IDS 64
#define MAX_PIDS (1 << 22)

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char proc_dir[256];
  unsigned int major;
  unsigned int minor;
  uint64_t mount_ids[MAX_MOUNT_IDS];
  size_t mount_id_count;
  // The PIDs to check (NULL: every process in proc_dir).
  int32_t *only;
  size_t only_count;
  // What was found.
  int32_t *found;
  size_t found_count;
  size_t found_capacity;
  bool failed;
} scan_job;

// Whether the file a /proc link leads to lies on the job's filesystem, by device or mount id.
static bool is_on_filesystem(const scan_job *job, const char *path) {
  struct statx info;
  if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_MNT_ID, &info) != 0) return false;
  if (info.stx_dev_major == job->major && info.stx_dev_minor == job->minor) return true;
  if (!(info.stx_mask & STATX_MNT_ID)) return false;
  for (size_t i = 0; i < job->mount_id_count; i++)
    if (info.stx_mnt_id == job->mount_ids[i]) return true;
  return false;
}

// Whether a process maps a file of the device: the fourth field of a maps line, "fd:01" in hex.
static bool maps_device(const scan_job *job, const char *pid_dir) {
  char path[320];
  snprintf(path, sizeof path, "%s/maps", pid_dir);
  FILE *maps = fopen(path, "re");
  if (maps == NULL) return false;
  char line[4096];
  bool found = false;
  while (!found && fgets(line, sizeof line, maps) != NULL) {
    unsigned int major, minor;
    // address perms offset dev: the dev is the fourth field.
    if (sscanf(line, "%*s %*s %*s %x:%x", &major, &minor) == 2)
      found = major == job->major && minor == job->minor;
    // A line longer than the buffer: skip the rest of it.
    while (strchr(line, '\n') == NULL && fgets(line, sizeof line, maps) != NULL) {
    }
  }
  fclose(maps);
  return found;
}

// Whether one process holds the filesystem.
static bool holds(const scan_job *job, int32_t pid) {
  char dir[288], path[320];
  snprintf(dir, sizeof dir, "%s/%d", job->proc_dir, pid);
  snprintf(path, sizeof path, "%s/cwd", dir);
  if (is_on_filesystem(job, path)) return true;
  snprintf(path, sizeof path, "%s/root", dir);
  if (is_on_filesystem(job, path)) return true;
  snprintf(path, sizeof path, "%s/fd", dir);
  DIR *fds = opendir(path);
  if (fds != NULL) {
    bool found = false;
    struct dirent *entry;
    while (!found && (entry = readdir(fds)) != NULL) {
      if (entry->d_name[0] == '.') continue;
      char fd_path[384];
      snprintf(fd_path, sizeof fd_path, "%s/fd/%s", dir, entry->d_name);
      found = is_on_filesystem(job, fd_path);
    }
    closedir(fds);
    if (found) return true;
  }
  return maps_device(job, dir);
}

static void add_found(scan_job *job, int32_t pid) {
  if (job->found_count == job->found_capacity) {
    size_t capacity = job->found_capacity ? job->found_capacity * 2 : 16;
    int32_t *grown = realloc(job->found, capacity * sizeof *grown);
    if (grown == NULL) {
      job->failed = true;
      return;
    }
    job->found = grown;
    job->found_capacity = capacity;
  }
  job->found[job->found_count++] = pid;
}

static void execute_scan(napi_env env, void *arg) {
  (void)env;
  scan_job *job = arg;
  if (job->only != NULL) {
    for (size_t i = 0; i < job->only_count && !job->failed; i++)
      if (holds(job, job->only[i])) add_found(job, job->only[i]);
    return;
  }
  DIR *proc = opendir(job->proc_dir);
  if (proc == NULL) {
    job->failed = true;
    return;
  }
  struct dirent *entry;
  while (!job->failed && (entry = readdir(proc)) != NULL) {
    char *end;
    long pid = strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid > INT32_MAX) continue;
    if (holds(job, (int32_t)pid)) add_found(job, (int32_t)pid);
  }
  closedir(proc);
}

static void free_scan(scan_job *job) {
  free(job->only);
  free(job->found);
  free(job);
}

static void complete_scan(napi_env env, napi_status status, void *arg) {
  scan_job *job = arg;
  napi_value result;
  if (status != napi_ok || job->failed) {
    napi_value message;
    napi_create_string_utf8(env, "findHolderPids: cannot read the process table", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &result);
    napi_reject_deferred(env, job->deferred, result);
  } else {
    napi_create_array_with_length(env, job->found_count, &result);
    for (size_t i = 0; i < job->found_count; i++) {
      napi_value pid;
      napi_create_int32(env, job->found[i], &pid);
      napi_set_element(env, result, (uint32_t)i, pid);
    }
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free_scan(job);
}

// Reads the arguments into a job; NULL (with a pending exception) when one is wrong.
static scan_job *read_job(napi_env env, napi_value *argv) {
  scan_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  size_t length = 0;
  uint32_t major = 0, minor = 0, count = 0;
  bool is_array = false;
  if (napi_get_value_string_utf8(env, argv[0], job->proc_dir, sizeof job->proc_dir, &length) != napi_ok ||
      length + 1 >= sizeof job->proc_dir || napi_get_value_uint32(env, argv[1], &major) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &minor) != napi_ok || napi_is_array(env, argv[3], &is_array) != napi_ok ||
      !is_array || napi_get_array_length(env, argv[3], &count) != napi_ok || count > MAX_MOUNT_IDS) {
    napi_throw_type_error(env, NULL, "findHolderPids(procDir, major, minor, mountIds[<=64], pids|null)");
    free_scan(job);
    return NULL;
  }
  job->major = major;
  job->minor = minor;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    int64_t id = -1;
    if (napi_get_element(env, argv[3], i, &item) != napi_ok || napi_get_value_int64(env, item, &id) != napi_ok ||
        id < 0) {
      napi_throw_type_error(env, NULL, "findHolderPids: mount ids are numbers");
      free_scan(job);
      return NULL;
    }
    job->mount_ids[job->mount_id_count++] = (uint64_t)id;
  }
  if (napi_is_array(env, argv[4], &is_array) == napi_ok && is_array) {
    if (napi_get_array_length(env, argv[4], &count) != napi_ok || count > MAX_PIDS) {
      napi_throw_type_error(env, NULL, "findHolderPids: too many pids");
      free_scan(job);
      return NULL;
    }
    job->only = calloc(count ? count : 1, sizeof *job->only);
    if (job->only == NULL) {
      napi_throw_error(env, NULL, "out of memory");
      free_scan(job);
      return NULL;
    }
    for (uint32_t i = 0; i < count; i++) {
      napi_value item;
      int32_t pid = 0;
      if (napi_get_element(env, argv[4], i, &item) != napi_ok || napi_get_value_int32(env, item, &pid) != napi_ok ||
          pid <= 0) {
        napi_throw_type_error(env, NULL, "findHolderPids: pids are positive integers");
        free_scan(job);
        return NULL;
      }
      job->only[job->only_count++] = pid;
    }
  }
  return job;
}

static napi_value find_holder_pids(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    napi_throw_type_error(env, NULL, "findHolderPids(procDir, major, minor, mountIds, pids|null)");
    return NULL;
  }
  scan_job *job = read_job(env, argv);
  if (job == NULL) return NULL;
  napi_value promise, name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "licorn-holder-scan", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute_scan, complete_scan, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    napi_throw_error(env, NULL, "findHolderPids: N-API call failed");
    free_scan(job);
    return NULL;
  }
  return promise;
}

void register_holder_scan(napi_env env, napi_value exports) {
  napi_value function;
  if (napi_create_function(env, "findHolderPids", NAPI_AUTO_LENGTH, find_holder_pids, NULL, &function) == napi_ok)
    napi_set_named_property(env, exports, "findHolderPids", function);
}
