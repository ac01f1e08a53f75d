// What the share watcher's files share: the watcher, its shares, commands and batches.
// Everything below `thread-owned` is touched by the watcher thread only.
#ifndef LICORN_SHARE_WATCHER_H
#define LICORN_SHARE_WATCHER_H
#include <pthread.h>
#include <stdint.h>
#include <node_api.h>
#include "share_acl.h"
#include "share_tree.h"

#define BATCH_MAX_ERRORS 100

// A queue of directories to scan: node and its wd when queued (a freed, reused node has
// another wd and is skipped).
typedef struct {
  int32_t *items; // node, wd pairs
  size_t head, tail, capacity;
} scan_queue;

// A share's id as the core gives it: its group's GID, which goes up to 2^32-2 (int32 refused some).
typedef int64_t share_id;

// One share: its rule, its directory's node and the walk in progress.
typedef struct {
  int used;
  share_id id;
  char *path;
  share_rule_bytes rule;
  int32_t root; // -1 until watched, or once its directory went away
  int root_fd;  // its directory, opened when its walk starts (what every path is opened from)
  char *root_real; // where the kernel says root_fd is (readlink): what a cached descriptor is checked against
  int walking, repair, cancelled, report;
  int rescan; // events were lost during this walk: walk again with repair once it ends
  // Its directory's ACL or mode was changed by someone else (only root can): said to the
  // event loop, which decides (the new rule by hand, or put back), not put back here.
  int root_changed;
  // Its directory was moved, removed or unwatched (IN_MOVE_SELF, IN_DELETE_SELF, IN_IGNORED):
  // said to the event loop, which looks at the share's path again (a directory restored in
  // its place is given the rule again; red team F7).
  int root_moved;
  uint64_t scanned, fixed;
  scan_queue queue;
} share;

// A request from the event loop, run by the thread in order.
typedef enum { COMMAND_SET, COMMAND_REMOVE, COMMAND_CANCEL } command_kind;
typedef struct command {
  command_kind kind;
  share_id id;
  int repair;
  char *path;
  share_rule_bytes rule;
  struct command *next;
} command;

// One batch for the event loop.
typedef struct {
  struct { share_id id; uint64_t scanned, fixed; int done, cancelled; } *progress;
  size_t progress_count;
  share_id *roots_changed; // shares whose directory's ACL or mode was changed by hand
  size_t roots_changed_count;
  share_id *roots_moved; // shares whose directory was moved, removed or unwatched
  size_t roots_moved_count;
  uint64_t fixed, overflows;
  struct { share_id id; char *path; char *message; } errors[BATCH_MAX_ERRORS];
  size_t error_count;
} share_batch;

typedef struct {
  napi_threadsafe_function tsfn;
  pthread_t thread;
  int thread_started;
  int stopped;    // stop_share_watcher ran (event loop side)
  int stopping;   // the thread must end (atomic)
  int wake_fd;    // eventfd: commands queued or stop
  int inotify_fd;
  pthread_mutex_t lock;
  command *commands, *commands_tail;
  // Figures, written by the thread, read by the event loop (atomics).
  int64_t watches, overflows_total, fixed_total, scanning;
  // The most directories watched (0: no budget; set by the event loop, atomic: shares.max_watches) and the
  // directories refused a watch because of it (red team F9: one member's directories used up root's watches).
  int64_t max_watches, refused_total;
  int in_flight; // a batch is on its way to the event loop (atomic)
  // thread-owned
  share_tree tree;
  share *shares;
  size_t share_count;
  scan_queue events_queue; // new directories found by events: scanned with repair
  share_batch batch;
  int batch_dirty;
  int64_t last_delivery_ms;
  // Events were lost (IN_Q_OVERFLOW): one rescan of every share, started once the queue is
  // read dry (or a second after the first loss), however many overflows came meanwhile.
  int rescan_pending;
  int64_t rescan_since_ms;
  // Directories moved from a share whose IN_MOVED_TO is not read yet: growable, as many as a
  // member renames back to back (a fixed 256 lost the rest, which stayed watched outside).
  struct pending_move { uint32_t cookie; int32_t node, wd; } *pending_moves;
  size_t pending_count, pending_capacity;
  // Directories to read again, without repair: a node of theirs was no longer found by its
  // names (moved or removed while its events waited); read, each of their subdirectories is
  // watched where it is now, and their nodes no longer found in them are unwatched.
  scan_queue relook_queue;
  // The nodes a scan met, to unwatch the ones it did not meet (scan_directory).
  int32_t *seen;
  size_t seen_capacity;
  struct { int32_t node, wd, fd; } fd_cache[16];
} share_watcher;

// The thread's main loop (share_watch_thread.c).
void *run_share_watcher(void *arg);
// Reports an error about `name` in `node` (the share's directory when -1) in the next batch.
void report_share_error(share_watcher *w, int32_t slot, int32_t node, const char *name, const char *what, int error);
// Frees a batch and what it holds.
void free_share_batch(share_batch *batch);
// Adds `node` to a queue; 0, or -1 out of memory.
int push_scan(scan_queue *queue, share_watcher *w, int32_t node);

// Event handling (share_watch_events.c).
void drain_share_events(share_watcher *w);

// Directory scans (share_watch_scans.c).
// Scans one queued directory of `queue` (a share's walk or the events' queue); 0 when empty.
int scan_next(share_watcher *w, scan_queue *queue, int32_t walk_slot);
// Watches a share's directory and starts its walk.
void start_share_walk(share_watcher *w, int32_t slot, int repair);
// Unwatches a node and what is below it.
void unwatch_tree(share_watcher *w, int32_t node);
// Walks every share again, correcting everything (after events were lost).
void rescan_all_shares(share_watcher *w);
// Counts a fix of `name` under `node` (in the walk `walk_slot`, or the batch's when -1), or reports its failure.
void count_fix(share_watcher *w, int32_t walk_slot, fix_result result, int32_t slot, int32_t node,
               const char *name);
// Closes the cached descriptors of `top` and of what is below it (of every node when -1).
void drop_cached_fds(share_watcher *w, int32_t top);
// A directory's descriptor, cached or opened by its names beneath its share; -1 when gone (then unwatched).
int get_dir_fd(share_watcher *w, int32_t node);
// Corrects, watches and places the directory `name` of `dirfd` under `parent`; its node, or -1 when no directory.
int32_t adopt_directory(share_watcher *w, int32_t parent, int dirfd, const char *name, int repair,
                        int32_t walk_slot, int *fresh);
// Milliseconds of CLOCK_MONOTONIC.
int64_t get_now_ms(void);

#endif
