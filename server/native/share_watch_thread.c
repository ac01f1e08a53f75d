// The share watcher's thread: one poll() on the inotify descriptor and on an eventfd the
// event loop writes to when it queues a command; between events it scans directories in
// slices (new directories first, then each share's walk), and hands the event loop at
// most one batch every 50 ms (one at a time: what happens meanwhile adds to the next).
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "share_watcher.h"

#define BATCH_INTERVAL_MS 50
#define SCANS_PER_SLICE 64
#define RESCAN_DELAY_MS 1000

int64_t get_now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void report_share_error(share_watcher *w, int32_t slot, int32_t node, const char *name, const char *what, int error) {
  if (w->batch.error_count >= BATCH_MAX_ERRORS || slot < 0) return;
  char path[4096 + 256], message[256];
  if (node >= 0) tree_get_path(&w->tree, node, w->shares[slot].path, path, sizeof path);
  else snprintf(path, sizeof path, "%s", w->shares[slot].path);
  if (name != NULL) {
    size_t used = strlen(path);
    snprintf(path + used, sizeof path - used, "/%s", name);
  }
  snprintf(message, sizeof message, "%s: %s", what, strerror(error));
  size_t i = w->batch.error_count;
  w->batch.errors[i].id = w->shares[slot].id;
  w->batch.errors[i].path = strdup(path);
  w->batch.errors[i].message = strdup(message);
  if (w->batch.errors[i].path == NULL || w->batch.errors[i].message == NULL) {
    free(w->batch.errors[i].path);
    free(w->batch.errors[i].message);
    return;
  }
  w->batch.error_count++;
  w->batch_dirty = 1;
}

void free_share_batch(share_batch *batch) {
  for (size_t i = 0; i < batch->error_count; i++) {
    free(batch->errors[i].path);
    free(batch->errors[i].message);
  }
  free(batch->progress);
  free(batch->roots_changed);
  free(batch->roots_moved);
  free(batch);
}

int push_scan(scan_queue *queue, share_watcher *w, int32_t node) {
  if (queue->tail == queue->capacity) {
    if (queue->head > queue->capacity / 2) {
      // Half of it is done: slide the rest down rather than growing.
      memmove(queue->items, queue->items + 2 * queue->head, 2 * (queue->tail - queue->head) * sizeof *queue->items);
      queue->tail -= queue->head;
      queue->head = 0;
    } else {
      size_t capacity = queue->capacity ? queue->capacity * 2 : 256;
      int32_t *items = realloc(queue->items, 2 * capacity * sizeof *items);
      if (items == NULL) return -1;
      queue->items = items;
      queue->capacity = capacity;
    }
  }
  queue->items[2 * queue->tail] = node;
  queue->items[2 * queue->tail + 1] = w->tree.nodes[node].wd;
  queue->tail++;
  return 0;
}

static int32_t find_share(share_watcher *w, share_id id) {
  for (size_t i = 0; i < w->share_count; i++)
    if (w->shares[i].used && w->shares[i].id == id) return (int32_t)i;
  return -1;
}

static int32_t add_share(share_watcher *w, share_id id) {
  size_t slot = 0;
  while (slot < w->share_count && w->shares[slot].used) slot++;
  if (slot == w->share_count) {
    share *shares = realloc(w->shares, (w->share_count + 1) * sizeof *shares);
    if (shares == NULL) return -1;
    w->shares = shares;
    w->share_count++;
  }
  memset(&w->shares[slot], 0, sizeof w->shares[slot]);
  w->shares[slot].used = 1;
  w->shares[slot].id = id;
  w->shares[slot].root = -1;
  w->shares[slot].root_fd = -1;
  return (int32_t)slot;
}

static void drop_share(share_watcher *w, int32_t slot) {
  share *s = &w->shares[slot];
  if (s->root >= 0) unwatch_tree(w, s->root);
  if (s->root_fd >= 0) close(s->root_fd);
  free(s->root_real);
  free(s->path);
  free(s->queue.items);
  memset(s, 0, sizeof *s);
}

static void run_command(share_watcher *w, command *c) {
  int32_t slot = find_share(w, c->id);
  if (c->kind == COMMAND_REMOVE) {
    if (slot >= 0) drop_share(w, slot);
  } else if (c->kind == COMMAND_CANCEL) {
    if (slot >= 0 && w->shares[slot].walking && w->shares[slot].repair) {
      w->shares[slot].repair = 0;
      w->shares[slot].cancelled = 1;
      w->shares[slot].report = 1;
    }
  } else {
    int repair = c->repair;
    if (slot >= 0 && strcmp(w->shares[slot].path, c->path) != 0) {
      // Another directory: the old one is no longer this share.
      drop_share(w, slot);
      slot = -1;
    }
    if (slot < 0 && (slot = add_share(w, c->id)) < 0) return;
    share *s = &w->shares[slot];
    // A repair in progress goes on under the new rule.
    if (s->walking && s->repair) repair = 1;
    if (s->path == NULL) {
      s->path = c->path;
      c->path = NULL;
    }
    s->rule = c->rule;
    start_share_walk(w, slot, repair);
  }
}

static void run_commands(share_watcher *w) {
  pthread_mutex_lock(&w->lock);
  command *list = w->commands;
  w->commands = w->commands_tail = NULL;
  pthread_mutex_unlock(&w->lock);
  while (list != NULL) {
    command *next = list->next;
    run_command(w, list);
    free(list->path);
    free(list);
    list = next;
  }
}

static int is_reporting(share_watcher *w) {
  if (w->batch_dirty) return 1;
  for (size_t i = 0; i < w->share_count; i++)
    if (w->shares[i].used && (w->shares[i].walking || w->shares[i].report || w->shares[i].root_changed ||
                                 w->shares[i].root_moved))
      return 1;
  return 0;
}

// Hands the batch to the event loop when one is due and none is on its way.
static void deliver(share_watcher *w) {
  if (__atomic_load_n(&w->in_flight, __ATOMIC_ACQUIRE) || !is_reporting(w)) return;
  int64_t now = get_now_ms();
  if (now - w->last_delivery_ms < BATCH_INTERVAL_MS) return;
  share_batch *copy = malloc(sizeof *copy);
  if (copy == NULL) return;
  *copy = w->batch;
  copy->progress = calloc(w->share_count + 1, sizeof *copy->progress);
  copy->progress_count = 0;
  copy->roots_changed = calloc(w->share_count + 1, sizeof *copy->roots_changed);
  copy->roots_changed_count = 0;
  for (size_t i = 0; copy->roots_changed != NULL && i < w->share_count; i++) {
    share *s = &w->shares[i];
    if (!s->used || !s->root_changed) continue;
    s->root_changed = 0;
    // Looked at again now: the event may have been read in the middle of a change made of
    // several calls (setfacl's access then default ACL) that ended right.
    struct stat st;
    if (s->root_fd >= 0 && fstat(s->root_fd, &st) == 0 && check_rule_fd(s->root_fd, &st, &s->rule) == FIX_UNCHANGED)
      continue;
    copy->roots_changed[copy->roots_changed_count++] = s->id;
  }
  copy->roots_moved = calloc(w->share_count + 1, sizeof *copy->roots_moved);
  copy->roots_moved_count = 0;
  for (size_t i = 0; copy->roots_moved != NULL && i < w->share_count; i++) {
    if (!w->shares[i].used || !w->shares[i].root_moved) continue;
    w->shares[i].root_moved = 0;
    copy->roots_moved[copy->roots_moved_count++] = w->shares[i].id;
  }
  for (size_t i = 0; copy->progress != NULL && i < w->share_count; i++) {
    share *s = &w->shares[i];
    if (!s->used || !(s->walking || s->report)) continue;
    copy->progress[copy->progress_count++] =
      (typeof(*copy->progress)){s->id, s->scanned, s->fixed, !s->walking, s->cancelled};
    s->report = 0;
  }
  memset(&w->batch, 0, sizeof w->batch);
  w->batch_dirty = 0;
  w->last_delivery_ms = now;
  __atomic_store_n(&w->in_flight, 1, __ATOMIC_RELEASE);
  if (napi_call_threadsafe_function(w->tsfn, copy, napi_tsfn_nonblocking) != napi_ok) {
    __atomic_store_n(&w->in_flight, 0, __ATOMIC_RELEASE);
    free_share_batch(copy);
  }
}

// One slice of directory scans; whether work is left.
static int scan_slice(share_watcher *w) {
  int busy = 0, scanning = 0;
  for (int i = 0; i < SCANS_PER_SLICE && scan_next(w, &w->relook_queue, -1); i++) {
  }
  for (int i = 0; i < SCANS_PER_SLICE && scan_next(w, &w->events_queue, -1); i++) {
  }
  if (w->events_queue.head != w->events_queue.tail || w->relook_queue.head != w->relook_queue.tail) busy = 1;
  for (size_t slot = 0; slot < w->share_count; slot++) {
    share *s = &w->shares[slot];
    if (!s->used || !s->walking) continue;
    for (int i = 0; i < SCANS_PER_SLICE && scan_next(w, &s->queue, (int32_t)slot); i++) {
    }
    if (s->queue.head == s->queue.tail && s->rescan) {
      // Walk again; to the event loop it is one longer walk (its counts go on).
      uint64_t scanned = s->scanned, fixed = s->fixed;
      start_share_walk(w, (int32_t)slot, 1);
      s = &w->shares[slot];
      s->scanned += scanned;
      s->fixed += fixed;
      if (s->walking) busy = 1;
    } else if (s->queue.head == s->queue.tail) {
      s->walking = 0;
      s->report = 1;
    } else {
      busy = 1;
      scanning++;
    }
  }
  __atomic_store_n(&w->scanning, scanning, __ATOMIC_RELAXED);
  return busy;
}

static void free_thread_state(share_watcher *w) {
  for (size_t i = 0; i < w->share_count; i++) {
    if (w->shares[i].used && w->shares[i].root_fd >= 0) close(w->shares[i].root_fd);
    free(w->shares[i].root_real);
    free(w->shares[i].path);
    free(w->shares[i].queue.items);
  }
  free(w->shares);
  w->shares = NULL;
  w->share_count = 0;
  free(w->events_queue.items);
  free(w->relook_queue.items);
  w->relook_queue.items = NULL;
  free(w->pending_moves);
  w->pending_moves = NULL;
  w->pending_count = w->pending_capacity = 0;
  free(w->seen);
  w->seen = NULL;
  for (size_t i = 0; i < sizeof w->fd_cache / sizeof w->fd_cache[0]; i++)
    if (w->fd_cache[i].fd >= 0) close(w->fd_cache[i].fd);
  for (size_t i = 0; i < w->batch.error_count; i++) {
    free(w->batch.errors[i].path);
    free(w->batch.errors[i].message);
  }
  tree_free(&w->tree);
}

// Makes the calling thread (the watcher's) SCHED_BATCH: its wake-ups on each event of a burst
// never preempt the event loop's thread. Its nice value is left as the process's: measured
// (bench/README.md, ninth session), a lower priority made the event loop wait longer, not
// shorter (the thread, preempted while holding the thread-safe function's lock or a
// directory's, held the event loop with it, and the burst took longer).
static void lower_thread_priority(void) {
  struct sched_param param = {0};
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
}

void *run_share_watcher(void *arg) {
  share_watcher *w = arg;
  // Named, so that its CPU time can be read in /proc/<pid>/task/*/comm (the shares bench).
  pthread_setname_np(pthread_self(), "licorn-shares");
  lower_thread_priority();
  struct pollfd fds[2] = {{w->wake_fd, POLLIN, 0}, {w->inotify_fd, POLLIN, 0}};
  int busy = 0;
  while (!__atomic_load_n(&w->stopping, __ATOMIC_ACQUIRE)) {
    int timeout = busy ? 0 : is_reporting(w) ? BATCH_INTERVAL_MS : -1;
    if (poll(fds, 2, timeout) < 0 && errno != EINTR) break;
    if (__atomic_load_n(&w->stopping, __ATOMIC_ACQUIRE)) break;
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      if (read(w->wake_fd, &count, sizeof count) < 0) {
        // Nothing to read: another wake-up already took the count.
      }
      run_commands(w);
    }
    if (fds[1].revents & POLLIN) drain_share_events(w);
    // Nothing queued, or a flood that never lets the queue run dry (its rescan a second late).
    if (w->rescan_pending &&
        (!(fds[1].revents & POLLIN) || get_now_ms() - w->rescan_since_ms >= RESCAN_DELAY_MS)) {
      w->rescan_pending = 0;
      rescan_all_shares(w);
    }
    busy = scan_slice(w);
    deliver(w);
  }
  free_thread_state(w);
  return NULL;
}
