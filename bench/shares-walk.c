// The shares bench's helper, built by the bench with cc in the same run (bench/shares-tree.ts):
//   walk DIR...                  the baseline: every directory below DIR watched by one inotify
//                                instance, the way share_watch.c walks (opened relative to its
//                                parent with O_NOFOLLOW, watched through /proc/self/fd, read
//                                with readdir); prints "<watches> <ms>"
//   tree COUNT FANOUT DIR...     makes COUNT directories below the DIRs, breadth first
//   burst COUNT DIR...           makes COUNT empty files, mode 0600, spread over every directory
//                                below the DIRs (listed first, not timed); prints "<files> <ms>"
//   check DIR TAG:PERM:ID...     reads system.posix_acl_access of every regular file below DIR
//                                and compares it with the entries given (kernel tag numbers);
//                                prints "<files> <wrong>"
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define WATCH_MASK (IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int inotify_fd;
static long watches;

static void walk(int fd) {
  char link[40];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  if (inotify_add_watch(inotify_fd, link, WATCH_MASK) >= 0) watches++;
  DIR *dir = fdopendir(fd);
  if (!dir) return;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    if (entry->d_type != DT_DIR || !strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
    int child = openat(dirfd(dir), entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child >= 0) walk(child);
  }
  closedir(dir);
}

// Every directory below the roots, as paths (for burst).
static char **paths;
static size_t path_count, path_size;

static void add_path(const char *path) {
  if (path_count == path_size) {
    path_size = path_size ? path_size * 2 : 1024;
    paths = realloc(paths, path_size * sizeof *paths);
  }
  paths[path_count++] = strdup(path);
}

static void list_dirs(const char *root) {
  size_t first = path_count;
  add_path(root);
  for (size_t i = first; i < path_count; i++) {
    DIR *dir = opendir(paths[i]);
    if (!dir) continue;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
      if (entry->d_type != DT_DIR || !strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", paths[i], entry->d_name);
      add_path(path);
    }
    closedir(dir);
  }
}

struct acl_entry {
  uint16_t tag, perm;
  uint32_t id;
};

static int compare_entries(const void *a, const void *b) {
  const struct acl_entry *x = a, *y = b;
  return x->tag != y->tag ? x->tag - y->tag : (x->id > y->id) - (x->id < y->id);
}

static struct acl_entry expected[32];
static int expected_count;
static long files, wrong;

static void check(const char *path) {
  DIR *dir = opendir(path);
  if (!dir) return;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
    char child[4096];
    snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
    if (entry->d_type == DT_DIR) {
      check(child);
      continue;
    }
    if (entry->d_type != DT_REG) continue;
    files++;
    unsigned char value[4 + 32 * 8];
    ssize_t size = lgetxattr(child, "system.posix_acl_access", value, sizeof value);
    int count = size < 4 ? -1 : (int)(size - 4) / 8;
    struct acl_entry found[32];
    for (int i = 0; i < count; i++) {
      memcpy(&found[i].tag, value + 4 + i * 8, 2);
      memcpy(&found[i].perm, value + 6 + i * 8, 2);
      memcpy(&found[i].id, value + 8 + i * 8, 4);
      if (found[i].tag != 0x02 && found[i].tag != 0x08) found[i].id = 0;
    }
    if (count != expected_count) {
      wrong++;
      continue;
    }
    qsort(found, count, sizeof *found, compare_entries);
    for (int i = 0; i < count; i++) {
      if (found[i].tag != expected[i].tag || found[i].perm != expected[i].perm || found[i].id != expected[i].id) {
        wrong++;
        break;
      }
    }
  }
  closedir(dir);
}

int main(int argc, char **argv) {
  if (argc >= 3 && !strcmp(argv[1], "walk")) {
    inotify_fd = inotify_init1(IN_CLOEXEC);
    double started = now_ms();
    for (int i = 2; i < argc; i++) {
      int fd = open(argv[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) walk(fd);
    }
    printf("%ld %.1f\n", watches, now_ms() - started);
    return 0;
  }
  if (argc >= 5 && !strcmp(argv[1], "tree")) {
    long total = atol(argv[2]), fanout = atol(argv[3]), made = 0;
    for (int i = 4; i < argc; i++) add_path(argv[i]);
    for (size_t i = 0; i < path_count && made < total; i++) {
      for (long j = 0; j < fanout && made < total; j++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/d%ld", paths[i], j);
        if (mkdir(path, 0777) != 0) return perror(path), 1;
        add_path(path);
        made++;
      }
    }
    printf("%ld\n", made);
    return 0;
  }
  if (argc >= 4 && !strcmp(argv[1], "burst")) {
    long total = atol(argv[2]);
    for (int i = 3; i < argc; i++) list_dirs(argv[i]);
    double started = now_ms();
    for (long i = 0; i < total; i++) {
      char path[4096];
      snprintf(path, sizeof path, "%s/f%ld", paths[i % path_count], i);
      int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) return perror(path), 1;
      close(fd);
    }
    printf("%ld %.1f\n", total, now_ms() - started);
    return 0;
  }
  if (argc >= 3 && !strcmp(argv[1], "check")) {
    for (int i = 3; i < argc && expected_count < 32; i++) {
      unsigned tag, perm, id;
      if (sscanf(argv[i], "%u:%u:%u", &tag, &perm, &id) != 3) return fprintf(stderr, "bad entry %s\n", argv[i]), 2;
      expected[expected_count++] = (struct acl_entry){ (uint16_t)tag, (uint16_t)perm, id };
    }
    qsort(expected, expected_count, sizeof *expected, compare_entries);
    check(argv[2]);
    printf("%ld %ld\n", files, wrong);
    return 0;
  }
  fprintf(stderr, "usage: shares-walk walk|tree|burst|check ...\n");
  return 2;
}
