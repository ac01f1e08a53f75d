// The share watcher's inotify events, on its thread: a new or moved directory watched and
// corrected, a rename's two halves paired by their cookie, a lost queue rescanned (the scans
// themselves: share_watch_scans.c).

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include "share_watcher.h"

// A directory moved from one watched place to another keeps its node (and its subtree's
// watches); moved to another share, everything in it gets that share's rule.
static void place_moved_directory(share_watcher *w, int32_t moved, int32_t parent, int dirfd, const char *name) {
  int32_t slot = w->tree.nodes[parent].share;
  if (tree_is_within(&w->tree, parent, moved) || tree_move(&w->tree, moved, parent, name) < 0) return;
  count_fix(w, -1, apply_rule_at(dirfd, name, &w->shares[slot].rule, NULL), slot, parent, name);
  if (w->tree.nodes[moved].share == slot) return;
  tree_set_share(&w->tree, moved, slot);
  if (push_scan(&w->events_queue, w, moved) < 0) report_share_error(w, slot, moved, NULL, "cannot scan", ENOMEM);
}

// Keeps `node` as moved away by the rename `cookie`; -1 out of memory.
static int add_pending_move(share_watcher *w, uint32_t cookie, int32_t node) {
  if (w->pending_count == w->pending_capacity) {
    size_t capacity = w->pending_capacity ? w->pending_capacity * 2 : 64;
    struct pending_move *moves = realloc(w->pending_moves, capacity * sizeof *moves);
    if (moves == NULL) return -1;
    w->pending_moves = moves;
    w->pending_capacity = capacity;
  }
  w->pending_moves[w->pending_count++] = (struct pending_move){cookie, node, w->tree.nodes[node].wd};
  return 0;
}

static int32_t take_pending_move(share_watcher *w, uint32_t cookie) {
  for (size_t i = 0; i < w->pending_count; i++) {
    if (w->pending_moves[i].cookie != cookie) continue;
    int32_t node = w->pending_moves[i].node, wd = w->pending_moves[i].wd;
    w->pending_moves[i] = w->pending_moves[--w->pending_count];
    return w->tree.nodes[node].wd == wd ? node : -1;
  }
  return -1;
}

static void handle_event(share_watcher *w, const struct inotify_event *event) {
  if (event->mask & IN_Q_OVERFLOW) {
    w->batch.overflows++;
    __atomic_add_fetch(&w->overflows_total, 1, __ATOMIC_RELAXED);
    w->batch_dirty = 1;
    // Rescanning now, in the middle of the burst that overflowed, would walk every share
    // again at each overflow: the rescan waits until the queue is read dry.
    if (!w->rescan_pending) w->rescan_since_ms = get_now_ms();
    w->rescan_pending = 1;
    // A directory whose move out was lost must not be written through its cached descriptor:
    // opened again by its names, it is found gone.
    drop_cached_fds(w, -1);
    return;
  }
  int32_t node = tree_find_wd(&w->tree, event->wd);
  if (node < 0) return;
  int32_t slot = w->tree.nodes[node].share;
  if (event->mask & (IN_MOVE_SELF | IN_DELETE_SELF | IN_IGNORED)) {
    // A share's own directory moved or removed (`mv alpha alpha.old; cp -a alpha.old alpha`,
    // as a restore does): the event loop looks at its path again and gives the rule again.
    // Until then the old directory stays watched (it may be back, or the path a symlink).
    if (w->tree.nodes[node].parent < 0) {
      w->shares[slot].root_moved = 1;
      w->batch_dirty = 1;
    }
    // Removed, or its filesystem unmounted: the kernel dropped the watch.
    if (event->mask & IN_IGNORED) unwatch_tree(w, node);
    return;
  }
  if (event->len == 0 || event->name[0] == '\0') {
    int fd = (event->mask & IN_ATTRIB) ? get_dir_fd(w, node) : -1;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) return;
    if (w->tree.nodes[node].parent >= 0) {
      count_fix(w, -1, apply_rule_to_fd(fd, &st, &w->shares[slot].rule), slot, node, NULL);
    } else if (check_rule_fd(fd, &st, &w->shares[slot].rule) == FIX_CHANGED) {
      // The share's own directory belongs to root: only an admin changes its ACL (a
      // `setfacl -d` making the share permissive by hand, as Licorn read it). The event loop
      // takes it as the new rule or puts the directory back (shares-service.ts).
      w->shares[slot].root_changed = 1;
      w->batch_dirty = 1;
    }
    return;
  }
  if (event->mask & IN_MOVED_FROM) {
    int32_t child = (event->mask & IN_ISDIR) ? tree_find_child(&w->tree, node, event->name) : -1;
    if (child < 0) return;
    // Until its IN_MOVED_TO says where it went, it is opened again by its names (and found
    // gone if it left the share), never through a cached descriptor.
    drop_cached_fds(w, child);
    if (add_pending_move(w, event->cookie, child) < 0) unwatch_tree(w, child);
    return;
  }
  int dirfd = get_dir_fd(w, node);
  if (dirfd < 0) return;
  if ((event->mask & IN_ISDIR) && (event->mask & (IN_CREATE | IN_MOVED_TO))) {
    int32_t moved = (event->mask & IN_MOVED_TO) ? take_pending_move(w, event->cookie) : -1;
    if (moved >= 0 && w->tree.nodes[moved].share >= 0) {
      place_moved_directory(w, moved, node, dirfd, event->name);
      return;
    }
    // New, or moved in from outside the shares: watched, then scanned for what is in it.
    int fresh;
    int32_t added = adopt_directory(w, node, dirfd, event->name, 1, -1, &fresh);
    if (added >= 0 && push_scan(&w->events_queue, w, added) < 0)
      report_share_error(w, slot, added, NULL, "cannot scan", ENOMEM);
    return;
  }
  if (event->mask & (IN_CREATE | IN_MOVED_TO | IN_ATTRIB))
    count_fix(w, -1, apply_rule_at(dirfd, event->name, &w->shares[slot].rule, NULL), slot, node,
              event->name);
}

void drain_share_events(share_watcher *w) {
  char buffer[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
  // A bounded number of reads, so that a flood of events still leaves time for the scans
  // and the batches; what is left wakes the next poll() at once.
  for (int reads = 0; reads < 16; reads++) {
    ssize_t length = read(w->inotify_fd, buffer, sizeof buffer);
    if (length < 0 && errno == EINTR) continue;
    if (length <= 0) {
      // Caught up: what an overflow lost is found by one rescan from here.
      if (w->rescan_pending) {
        w->rescan_pending = 0;
        rescan_all_shares(w);
      }
      // Nothing more: a directory moved from a share whose IN_MOVED_TO never came went
      // out of every share.
      while (w->pending_count > 0) {
        w->pending_count--;
        int32_t node = w->pending_moves[w->pending_count].node;
        if (w->tree.nodes[node].wd == w->pending_moves[w->pending_count].wd) unwatch_tree(w, node);
      }
      return;
    }
    for (char *p = buffer; p < buffer + length;) {
      const struct inotify_event *event = (const struct inotify_event *)p;
      handle_event(w, event);
      p += sizeof *event + event->len;
    }
  }
}
