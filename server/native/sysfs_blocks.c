// readSysfsBlocks(names?) -> Promise<entry[]>: what /sys/class/block says of block devices and
// partitions, those named or every one (dev, size, partition, ro, removable, diskseq,
// loop/backing_file, the link's target, holders and slaves), read in one call on a libuv
// worker thread. sysfs files are a few bytes the kernel makes from memory (nothing a hung
// device can stall, so the pool is safe here): ten of them per device cost 4 syscalls and a
// JavaScript string each through fs.readFileSync (about 11 ms for 52 devices, all of it
// blocking the event loop), a fraction of that here.
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>
#include "sysfs_blocks.h"

#define SYS_BLOCK "/sys/class/block"
#define MAX_DEVICES 16384
#define TEXT_SIZE 4096

// The attribute files read, in the order of entry.values.
static const char *const attribute_names[] = {"dev", "size", "partition", "ro", "removable", "diskseq",
                                              "loop/backing_file"};
static const char *const attribute_keys[] = {"dev", "size", "partition", "ro", "removable", "diskseq", "backingFile"};
#define ATTRIBUTE_COUNT (sizeof attribute_names / sizeof attribute_names[0])
#define SIZE_INDEX 1

typedef struct {
  char *name;
  char *link;
  char *values[ATTRIBUTE_COUNT];
  char **holders;
  size_t holder_count;
  char **slaves;
  size_t slave_count;
} block_entry;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  // The names to read; NULL: every entry of the directory.
  char **names;
  size_t names_count;
  block_entry *entries;
  size_t count;
} sysfs_job;

// A file's text without its trailing newline; NULL when absent or unreadable.
static char *read_attribute(int dir_fd, const char *name) {
  int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  char buffer[TEXT_SIZE];
  ssize_t length = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (length < 0) return NULL;
  while (length > 0 && (buffer[length - 1] == '\n' || buffer[length - 1] == ' ')) length--;
  buffer[length] = '\0';
  return strdup(buffer);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

// The names in a device's subdirectory (holders, slaves), sorted.
static char **read_names(int dir_fd, const char *name, size_t *count) {
  *count = 0;
  int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return NULL;
  DIR *dir = fdopendir(fd);
  if (dir == NULL) {
    close(fd);
    return NULL;
  }
  char **names = NULL;
  size_t size = 0;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (entry->d_name[0] == '.') continue;
    if (*count == size) {
      size_t grown = size ? size * 2 : 4;
      char **bigger = realloc(names, grown * sizeof *names);
      if (bigger == NULL) break;
      names = bigger;
      size = grown;
    }
    names[(*count)++] = strdup(entry->d_name);
  }
  closedir(dir);
  if (*count > 1) qsort(names, *count, sizeof *names, compare_names);
  return names;
}

static void free_names(char **names, size_t count) {
  for (size_t i = 0; i < count; i++) free(names[i]);
  free(names);
}

static void read_entry(int class_fd, const char *name, block_entry *entry) {
  entry->name = strdup(name);
  char link[TEXT_SIZE];
  ssize_t length = readlinkat(class_fd, name, link, sizeof link - 1);
  if (length >= 0) {
    link[length] = '\0';
    entry->link = strdup(link);
  }
  int dir_fd = openat(class_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return;
  // An empty device (a free loop device: often most of the entries) is left out by the
  // caller: its size is all that is read of it.
  entry->values[SIZE_INDEX] = read_attribute(dir_fd, "size");
  if (entry->values[SIZE_INDEX] == NULL || strcmp(entry->values[SIZE_INDEX], "0") == 0) {
    close(dir_fd);
    return;
  }
  for (size_t i = 0; i < ATTRIBUTE_COUNT; i++)
    if (i != SIZE_INDEX) entry->values[i] = read_attribute(dir_fd, attribute_names[i]);
  entry->holders = read_names(dir_fd, "holders", &entry->holder_count);
  entry->slaves = read_names(dir_fd, "slaves", &entry->slave_count);
  close(dir_fd);
}

static void execute(napi_env env, void *data) {
  (void)env;
  sysfs_job *job = data;
  int class_fd = open(SYS_BLOCK, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (class_fd < 0) return;
  size_t names_count = job->names_count;
  char **names = job->names;
  if (names == NULL) names = read_names(class_fd, ".", &names_count);
  size_t read_count = names_count > MAX_DEVICES ? MAX_DEVICES : names_count;
  job->entries = calloc(read_count ? read_count : 1, sizeof *job->entries);
  if (job->entries != NULL) {
    for (size_t i = 0; i < read_count; i++) read_entry(class_fd, names[i], &job->entries[job->count++]);
  }
  if (job->names == NULL) free_names(names, names_count);
  close(class_fd);
}

static napi_value create_text(napi_env env, const char *text) {
  napi_value value;
  if (text == NULL) napi_get_null(env, &value);
  else napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  return value;
}

static napi_value create_names(napi_env env, char **names, size_t count) {
  napi_value array;
  napi_create_array_with_length(env, count, &array);
  for (size_t i = 0; i < count; i++) napi_set_element(env, array, (uint32_t)i, create_text(env, names[i]));
  return array;
}

static void complete(napi_env env, napi_status status, void *data) {
  sysfs_job *job = data;
  napi_value result;
  napi_create_array_with_length(env, job->count, &result);
  for (size_t i = 0; i < job->count; i++) {
    block_entry *entry = &job->entries[i];
    napi_value object;
    napi_create_object(env, &object);
    napi_set_named_property(env, object, "name", create_text(env, entry->name));
    napi_set_named_property(env, object, "link", create_text(env, entry->link));
    for (size_t k = 0; k < ATTRIBUTE_COUNT; k++) {
      napi_set_named_property(env, object, attribute_keys[k], create_text(env, entry->values[k]));
      free(entry->values[k]);
    }
    napi_set_named_property(env, object, "holders", create_names(env, entry->holders, entry->holder_count));
    napi_set_named_property(env, object, "slaves", create_names(env, entry->slaves, entry->slave_count));
    napi_set_element(env, result, (uint32_t)i, object);
    free_names(entry->holders, entry->holder_count);
    free_names(entry->slaves, entry->slave_count);
    free(entry->name);
    free(entry->link);
  }
  free(job->entries);
  free_names(job->names, job->names_count);
  if (status == napi_ok) napi_resolve_deferred(env, job->deferred, result);
  else napi_reject_deferred(env, job->deferred, create_text(env, "readSysfsBlocks: cancelled"));
  napi_delete_async_work(env, job->work);
  free(job);
}

// Reads names[] (device names: no slash, no NUL, not "." nor "..") into the job.
static int read_name_args(napi_env env, napi_value array, sysfs_job *job) {
  bool is_array = false;
  uint32_t count = 0;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array) return 0;
  napi_get_array_length(env, array, &count);
  if (count > MAX_DEVICES) return 0;
  job->names = calloc(count ? count : 1, sizeof *job->names);
  if (job->names == NULL) return 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    char name[256];
    size_t length = 0;
    if (napi_get_element(env, array, i, &item) != napi_ok ||
        napi_get_value_string_utf8(env, item, name, sizeof name, &length) != napi_ok || length == 0 ||
        length >= sizeof name - 1 || strlen(name) != length || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0)
      return 0;
    job->names[job->names_count++] = strdup(name);
  }
  return 1;
}

// readSysfsBlocks(names?): the entries of /sys/class/block (those named, or all), read on a
// worker thread.
static napi_value read_sysfs_blocks(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type = napi_undefined;
  sysfs_job *job = calloc(1, sizeof *job);
  napi_value promise, name;
  if (job == NULL) {
    napi_throw_error(env, NULL, "readSysfsBlocks: out of memory");
    return NULL;
  }
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      (argc > 0 && napi_typeof(env, argv[0], &type) != napi_ok) ||
      (type != napi_undefined && !read_name_args(env, argv[0], job))) {
    free_names(job->names, job->names_count);
    free(job);
    napi_throw_type_error(env, NULL, "readSysfsBlocks(names?) needs an array of at most 16384 device names");
    return NULL;
  }
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok) {
    free_names(job->names, job->names_count);
    free(job);
    napi_throw_error(env, NULL, "readSysfsBlocks: cannot create its promise");
    return NULL;
  }
  napi_create_string_utf8(env, "licorn-sysfs-blocks", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, NULL, name, execute, complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    napi_throw_error(env, NULL, "readSysfsBlocks: cannot queue its work");
    return NULL;
  }
  return promise;
}

void register_sysfs_blocks(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"readSysfsBlocks", NULL, read_sysfs_blocks, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 1, properties);
}
