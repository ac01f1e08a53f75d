// The share watcher's directory scans, on its thread (its inotify events: share_watch_events.c). A directory
// is opened first (relative to its parent, O_NOFOLLOW), then watched through its
// descriptor's /proc/self/fd link, so the watch is on the very directory that was opened,
// never on what a path resolves to by then (a member may swap a directory for a symlink).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include "share_watcher.h"

// IN_MOVE_SELF and IN_DELETE_SELF matter for a share's own directory only (every watch has one mask: watching a
// watched directory again, as open_node does, would replace another).
#define WATCH_MASK \
  (IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)
#define CACHE_SIZE (sizeof ((share_watcher *)0)->fd_cache / sizeof ((share_watcher *)0)->fd_cache[0])

static int watch_fd(share_watcher *w, int fd) {
  char link[40];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  return inotify_add_watch(w->inotify_fd, link, WATCH_MASK);
}

static void update_watches(share_watcher *w) {
  __atomic_store_n(&w->watches, (int64_t)w->tree.live, __ATOMIC_RELAXED);
}

// Counts a fix (in the walk `walk_slot`, or in the batch's `fixed` for events) or reports
// its failure; vanished entries and symlinks (ELOOP) are nothing to report.
void count_fix(share_watcher *w, int32_t walk_slot, fix_result result, int32_t slot, int32_t node,
               const char *name) {
  if (result == FIX_CHANGED) {
    if (walk_slot >= 0) w->shares[walk_slot].fixed++;
    else w->batch.fixed++;
    __atomic_add_fetch(&w->fixed_total, 1, __ATOMIC_RELAXED);
    w->batch_dirty = 1;
  } else if (result == FIX_REFUSED) {
    report_share_error(w, slot, node, name,
                       "not given the share's rule (a hard link, or a file of root or a system account)", EPERM);
  } else if (result == FIX_FAILED && errno != ENOENT && errno != ELOOP && errno != ENOTDIR) {
    report_share_error(w, slot, node, name, "cannot apply the share's ACL", errno);
  }
}

// Whether opening a node by its names failed because its directory is no longer there.
static int is_stale_error(int error) {
  return error == ENOENT || error == ENOTDIR || error == ELOOP || error == ESTALE;
}

// Opens `node`'s directory by its names beneath its share's directory, and checks that it is
// the very directory watched as `node`: a descriptor, or -1 with errno (ESTALE: another
// directory has these names now).
static int open_node(share_watcher *w, int32_t node) {
  int fd = tree_open(&w->tree, node, w->shares[w->tree.nodes[node].share].root_fd);
  if (fd < 0 || w->tree.nodes[node].parent < 0) return fd;
  // Watching a watched directory again gives its wd (with the same mask): another wd is
  // another directory. One syscall, and no inode to keep in the 32-byte node.
  int wd = watch_fd(w, fd);
  if (wd == w->tree.nodes[node].wd) return fd;
  if (wd >= 0 && tree_find_wd(&w->tree, wd) < 0) inotify_rm_watch(w->inotify_fd, wd);
  close(fd);
  errno = ESTALE;
  return -1;
}

// Closes the cached descriptors of `top` and of what is below it (of every node when -1).
void drop_cached_fds(share_watcher *w, int32_t top) {
  for (size_t i = 0; i < CACHE_SIZE; i++) {
    int32_t node = w->fd_cache[i].node;
    if (w->fd_cache[i].fd < 0) continue;
    if (top >= 0 && (w->tree.nodes[node].wd != w->fd_cache[i].wd || !tree_is_within(&w->tree, node, top))) continue;
    close(w->fd_cache[i].fd);
    w->fd_cache[i].fd = -1;
  }
}

static void forget_stale_node(share_watcher *w, int32_t node);

// Whether the directory `fd` (cached for `node`) is still where the tree says, as the kernel
// names it: a directory moved out while its IN_MOVED_FROM waits in the queue is not (nor one
// removed, nor any past 4 KB of path: those are opened again by their names).
static int is_in_place(share_watcher *w, int32_t node, int fd) {
  const char *root = w->shares[w->tree.nodes[node].share].root_real;
  char link[40], actual[4096], expected[4096];
  if (root == NULL) return 0;
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t length = readlink(link, actual, sizeof actual - 1);
  if (length < 0 || (size_t)length >= sizeof actual - 1) return 0;
  actual[length] = '\0';
  tree_get_path(&w->tree, node, root, expected, sizeof expected);
  return strcmp(actual, expected) == 0;
}

// A directory's descriptor from the cache, else opened from its share's directory. A node
// no longer found there is unwatched (its cached descriptor with it): the cache never serves
// a directory moved out of the share.
int get_dir_fd(share_watcher *w, int32_t node) {
  size_t i = (size_t)node % CACHE_SIZE;
  int32_t wd = w->tree.nodes[node].wd;
  if (w->fd_cache[i].fd >= 0 && w->fd_cache[i].node == node && w->fd_cache[i].wd == wd &&
      is_in_place(w, node, w->fd_cache[i].fd))
    return w->fd_cache[i].fd;
  if (w->fd_cache[i].fd >= 0) close(w->fd_cache[i].fd);
  w->fd_cache[i].fd = -1;
  int fd = open_node(w, node);
  if (fd < 0) {
    if (is_stale_error(errno)) forget_stale_node(w, node);
    return -1;
  }
  w->fd_cache[i].fd = fd;
  w->fd_cache[i].node = node;
  w->fd_cache[i].wd = wd;
  return fd;
}

static void forget_watch(int wd, void *context) {
  share_watcher *w = context;
  inotify_rm_watch(w->inotify_fd, wd);
  for (size_t i = 0; i < CACHE_SIZE; i++) {
    if (w->fd_cache[i].fd >= 0 && w->fd_cache[i].wd == wd) {
      close(w->fd_cache[i].fd);
      w->fd_cache[i].fd = -1;
    }
  }
}

void unwatch_tree(share_watcher *w, int32_t node) {
  if (w->tree.nodes[node].parent < 0) {
    for (size_t i = 0; i < w->share_count; i++) {
      if (!w->shares[i].used || w->shares[i].root != node) continue;
      w->shares[i].root = -1;
      if (w->shares[i].root_fd >= 0) close(w->shares[i].root_fd);
      w->shares[i].root_fd = -1;
      free(w->shares[i].root_real);
      w->shares[i].root_real = NULL;
    }
  }
  tree_remove(&w->tree, node, forget_watch, w);
  update_watches(w);
}

// A node no longer found by its names (moved or removed while its events waited, or while
// events were lost): unwatched, and its parent read again, which watches it where it is now
// if it is still there, and finds out whether the parent is stale too.
static void forget_stale_node(share_watcher *w, int32_t node) {
  int32_t parent = w->tree.nodes[node].parent;
  if (parent < 0) return;
  unwatch_tree(w, node);
  scan_queue *queue = &w->relook_queue;
  // Siblings found stale one after the other need one read of their parent.
  if (queue->tail > queue->head && queue->items[2 * (queue->tail - 1)] == parent &&
      queue->items[2 * (queue->tail - 1) + 1] == w->tree.nodes[parent].wd)
    return;
  if (push_scan(queue, w, parent) < 0)
    report_share_error(w, w->tree.nodes[parent].share, parent, NULL, "cannot scan", ENOMEM);
}

// Corrects `name` in `dirfd` (node `parent`) when `repair`, watches it and places its node
// under `parent` (an existing node keeps its subtree); the node, or -1 when it is no
// directory (gone, or a symlink: never followed). `fresh` says whether it is new to this
// share (not watched before, or watched as another share's).
int32_t adopt_directory(share_watcher *w, int32_t parent, int dirfd, const char *name, int repair,
                        int32_t walk_slot, int *fresh) {
  *fresh = 0;
  int32_t slot = w->tree.nodes[parent].share;
  if (repair) count_fix(w, walk_slot, apply_rule_at(dirfd, name, &w->shares[slot].rule, NULL), slot, parent, name);
  // The parent through its descriptor's link (the very directory that was opened), the name
  // itself not followed: one lookup, and no descriptor of the child to open and close.
  char link[300];
  snprintf(link, sizeof link, "/proc/self/fd/%d/%s", dirfd, name);
  int wd = inotify_add_watch(w->inotify_fd, link, WATCH_MASK | IN_DONT_FOLLOW);
  if (wd < 0) {
    if (errno != ENOENT && errno != ENOTDIR)
      report_share_error(w, slot, parent, name,
                         errno == ENOSPC ? "cannot watch (fs.inotify.max_user_watches reached)" : "cannot watch",
                         errno);
    return -1;
  }
  int32_t node = tree_find_wd(&w->tree, wd);
  int64_t budget = __atomic_load_n(&w->max_watches, __ATOMIC_RELAXED);
  if (node < 0 && budget > 0 && (int64_t)w->tree.live >= budget) {
    // Past the budget: root's other services keep their watches (a member making directories by the
    // thousand would take them all); said once per share, and counted for the status page.
    inotify_rm_watch(w->inotify_fd, wd);
    __atomic_add_fetch(&w->refused_total, 1, __ATOMIC_RELAXED);
    report_share_error(w, slot, parent, name, "not watched: the shares' watch budget (shares.max_watches) is reached",
                       ENOSPC);
    return -1;
  }
  if (node >= 0) {
    // Already watched: moved while events were lost, or a bind mount of an ancestor
    // (followed, it would loop for ever).
    if (tree_is_within(&w->tree, parent, node)) return -1;
    if (tree_move(&w->tree, node, parent, name) < 0) return -1;
    if (w->tree.nodes[node].share != slot) {
      tree_set_share(&w->tree, node, slot);
      *fresh = 1;
    }
    return node;
  }
  node = tree_add(&w->tree, parent, name, strlen(name), wd, slot);
  if (node < 0) {
    inotify_rm_watch(w->inotify_fd, wd);
    report_share_error(w, slot, parent, name, "cannot watch", ENOMEM);
    return -1;
  }
  update_watches(w);
  *fresh = 1;
  return node;
}

// Notes that a scan met `node`; -1 out of memory.
static int note_seen(share_watcher *w, size_t *count, int32_t node) {
  if (*count == w->seen_capacity) {
    size_t capacity = w->seen_capacity ? w->seen_capacity * 2 : 256;
    int32_t *seen = realloc(w->seen, capacity * sizeof *seen);
    if (seen == NULL) return -1;
    w->seen = seen;
    w->seen_capacity = capacity;
  }
  w->seen[(*count)++] = node;
  return 0;
}

static int compare_nodes(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

// Unwatches the children of `node` a complete read of its directory did not meet: moved out
// or removed while their events were lost (an overflow), or never read.
static void prune_unseen(share_watcher *w, int32_t node, size_t count) {
  qsort(w->seen, count, sizeof *w->seen, compare_nodes);
  for (int32_t child = w->tree.nodes[node].first_child, next; child >= 0; child = next) {
    next = w->tree.nodes[child].next_sibling;
    if (bsearch(&child, w->seen, count, sizeof *w->seen, compare_nodes) == NULL) unwatch_tree(w, child);
  }
}

// Scans one queued directory. The relook queue's are read without repair: only what is new
// to the share there is corrected, and scanned through the events' queue.
int scan_next(share_watcher *w, scan_queue *queue, int32_t walk_slot) {
  if (queue->head == queue->tail) return 0;
  int32_t node = queue->items[2 * queue->head], wd = queue->items[2 * queue->head + 1];
  if (++queue->head == queue->tail) {
    // Empty: its memory (a whole level of a wide tree) goes back.
    free(queue->items);
    memset(queue, 0, sizeof *queue);
  }
  if (w->tree.nodes[node].share < 0 || w->tree.nodes[node].wd != wd) return 1;
  int32_t slot = w->tree.nodes[node].share;
  int relook = queue == &w->relook_queue;
  int repair = relook ? 0 : walk_slot >= 0 ? w->shares[walk_slot].repair : 1;
  int fd = open_node(w, node);
  DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
  if (dir == NULL) {
    // Another filesystem mounted there is not the share's: unwatched, never walked.
    if (errno == EXDEV && w->tree.nodes[node].parent >= 0) unwatch_tree(w, node);
    else if (is_stale_error(errno)) forget_stale_node(w, node);
    else report_share_error(w, slot, node, NULL, "cannot read", errno);
    if (fd >= 0) close(fd);
    return 1;
  }
  size_t seen = 0;
  int complete = 1;
  struct dirent *entry;
  for (;;) {
    errno = 0;
    if ((entry = readdir(dir)) == NULL) break;
    const char *name = entry->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    unsigned char type = entry->d_type;
    struct stat child;
    if (type == DT_UNKNOWN && fstatat(fd, name, &child, AT_SYMLINK_NOFOLLOW) == 0)
      type = S_ISDIR(child.st_mode) ? DT_DIR : S_ISREG(child.st_mode) ? DT_REG : DT_UNKNOWN;
    if (walk_slot >= 0) w->shares[walk_slot].scanned++;
    if (type == DT_DIR) {
      int fresh;
      int32_t added = adopt_directory(w, node, fd, name, repair, walk_slot, &fresh);
      if (added < 0) continue;
      if (note_seen(w, &seen, added) < 0) complete = 0;
      if (relook && !fresh) continue;
      if (relook) count_fix(w, -1, apply_rule_at(fd, name, &w->shares[slot].rule, NULL), slot, node, name);
      if (push_scan(relook ? &w->events_queue : queue, w, added) < 0)
        report_share_error(w, slot, added, NULL, "cannot scan", ENOMEM);
    } else if (type == DT_REG && repair) {
      count_fix(w, walk_slot, apply_rule_at(fd, name, &w->shares[slot].rule, NULL), slot, node, name);
    }
  }
  if (errno != 0) complete = 0;
  closedir(dir);
  if (complete && w->tree.nodes[node].wd == wd) prune_unseen(w, node, seen);
  return 1;
}

void start_share_walk(share_watcher *w, int32_t slot, int repair) {
  share *s = &w->shares[slot];
  s->queue.head = s->queue.tail = 0;
  s->scanned = s->fixed = 0;
  s->repair = repair;
  s->cancelled = 0;
  s->rescan = 0;
  s->report = 1;
  s->walking = 0;
  int fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) {
    report_share_error(w, slot, -1, NULL, "cannot open the share's directory", errno);
    if (fd >= 0) close(fd);
    return;
  }
  if (repair) count_fix(w, slot, apply_rule_to_fd(fd, &st, &s->rule), slot, -1, NULL);
  int wd = watch_fd(w, fd);
  int saved = errno;
  // Another directory than the one watched is at the path now (the old one moved away, a
  // copy restored in its place): the old one is no longer the share (red team F7).
  if (s->root >= 0 && w->tree.nodes[s->root].wd != wd) unwatch_tree(w, s->root);
  if (s->root_fd >= 0) close(s->root_fd);
  s->root_fd = fd;
  free(s->root_real);
  s->root_real = NULL;
  char link[40], real[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t length = readlink(link, real, sizeof real - 1);
  if (length > 0 && (size_t)length < sizeof real - 1) s->root_real = strndup(real, (size_t)length);
  if (wd < 0) {
    report_share_error(w, slot, -1, NULL, "cannot watch the share's directory", saved);
    return;
  }
  int32_t node = tree_find_wd(&w->tree, wd);
  if (node >= 0 && node != s->root) {
    // The directory was watched as part of another share (a share inside a share): it is
    // this share's from now on.
    if (tree_move(&w->tree, node, -1, "") < 0) return;
    tree_set_share(&w->tree, node, slot);
  } else if (node < 0) {
    node = tree_add(&w->tree, -1, "", 0, wd, slot);
    if (node < 0) {
      inotify_rm_watch(w->inotify_fd, wd);
      report_share_error(w, slot, -1, NULL, "cannot watch the share's directory", ENOMEM);
      return;
    }
    update_watches(w);
  }
  s->root = node;
  if (push_scan(&s->queue, w, node) == 0) s->walking = 1;
}

void rescan_all_shares(share_watcher *w) {
  for (size_t i = 0; i < w->share_count; i++) {
    share *s = &w->shares[i];
    if (!s->used) continue;
    // A walk in progress is not restarted (under a flood of events it would never end):
    // it repairs from here on, and one more walk follows it for the part already behind it.
    if (s->walking) {
      s->repair = 1;
      s->rescan = 1;
    } else {
      start_share_walk(w, (int32_t)i, 1);
    }
  }
}
