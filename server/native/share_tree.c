// The watched tree of the share watcher: one array of 32-byte nodes (parent and sibling
// indexes, watch descriptor, share), one pool of names and a wd -> node hash index. Licorn's
// Python inotifier kept a path string and objects per watch (~1 KB each); 214,540 of these
// nodes take ~7 MB with their names. A path is rebuilt from the parents only when a
// directory must be opened or named in an error.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "share_tree.h"

// At most this many bytes of path are resolved by one openat2: far below PATH_MAX, so that a
// tree deeper than PATH_MAX is opened in several hops, each from the previous one.
#define HOP_BYTES 3000

static size_t hash_wd(int wd, size_t capacity) {
  return ((uint32_t)wd * 2654435761u) & (capacity - 1);
}

static int index_grow(share_tree *tree) {
  size_t capacity = tree->index_capacity ? tree->index_capacity * 2 : 1024;
  int32_t *wds = calloc(capacity, sizeof *wds), *nodes = calloc(capacity, sizeof *nodes);
  if (wds == NULL || nodes == NULL) {
    free(wds);
    free(nodes);
    return -1;
  }
  for (size_t i = 0; i < tree->index_capacity; i++) {
    if (tree->index_wd[i] == 0) continue;
    size_t slot = hash_wd(tree->index_wd[i], capacity);
    while (wds[slot] != 0) slot = (slot + 1) & (capacity - 1);
    wds[slot] = tree->index_wd[i];
    nodes[slot] = tree->index_node[i];
  }
  free(tree->index_wd);
  free(tree->index_node);
  tree->index_wd = wds;
  tree->index_node = nodes;
  tree->index_capacity = capacity;
  return 0;
}

static int index_put(share_tree *tree, int wd, int32_t node) {
  // Linear probing stays short up to 70 % full: 11 to 23 bytes of index per watch.
  if ((tree->index_used + 1) * 10 > tree->index_capacity * 7 && index_grow(tree) < 0) return -1;
  size_t slot = hash_wd(wd, tree->index_capacity);
  while (tree->index_wd[slot] != 0 && tree->index_wd[slot] != wd) slot = (slot + 1) & (tree->index_capacity - 1);
  if (tree->index_wd[slot] == 0) tree->index_used++;
  tree->index_wd[slot] = wd;
  tree->index_node[slot] = node;
  return 0;
}

// Backward-shift deletion: no tombstones, so lookups stay short under churn.
static void index_delete(share_tree *tree, int wd) {
  if (tree->index_capacity == 0) return;
  size_t mask = tree->index_capacity - 1, slot = hash_wd(wd, tree->index_capacity);
  while (tree->index_wd[slot] != wd) {
    if (tree->index_wd[slot] == 0) return;
    slot = (slot + 1) & mask;
  }
  size_t hole = slot;
  for (size_t next = (hole + 1) & mask; tree->index_wd[next] != 0; next = (next + 1) & mask) {
    size_t home = hash_wd(tree->index_wd[next], tree->index_capacity);
    // Move `next` into the hole unless its home lies cyclically in (hole, next].
    if (((next - home) & mask) >= ((next - hole) & mask)) {
      tree->index_wd[hole] = tree->index_wd[next];
      tree->index_node[hole] = tree->index_node[next];
      hole = next;
    }
  }
  tree->index_wd[hole] = 0;
  tree->index_used--;
}

int32_t tree_find_wd(const share_tree *tree, int wd) {
  if (tree->index_capacity == 0 || wd <= 0) return -1;
  size_t slot = hash_wd(wd, tree->index_capacity);
  while (tree->index_wd[slot] != 0) {
    if (tree->index_wd[slot] == wd) return tree->index_node[slot];
    slot = (slot + 1) & (tree->index_capacity - 1);
  }
  return -1;
}

// Rewrites the pool with only the live names once half of it is garbage (renames, removals).
static int compact_names(share_tree *tree) {
  size_t size = tree->names_used - tree->names_garbage + 64;
  char *pool = malloc(size);
  if (pool == NULL) return -1;
  size_t used = 0;
  for (int32_t i = 0; i < tree->used; i++) {
    tree_node *n = &tree->nodes[i];
    if (n->share < 0) continue;
    memcpy(pool + used, tree->names + n->name_offset, n->name_length);
    n->name_offset = (uint32_t)used;
    used += n->name_length;
  }
  free(tree->names);
  tree->names = pool;
  tree->names_used = used;
  tree->names_capacity = size;
  tree->names_garbage = 0;
  return 0;
}

// Copies a name into the pool; its offset, or -1.
static int64_t store_name(share_tree *tree, const char *name, size_t length) {
  if (tree->names_used + length > tree->names_capacity) {
    if (tree->names_garbage > tree->names_used / 2 && compact_names(tree) == 0 &&
        tree->names_used + length <= tree->names_capacity) {
      // Compacted in place.
    } else {
      // By a quarter: glibc moves a big block with mremap, so growing often costs no copy,
      // and at most a fifth of the pool is slack.
      size_t capacity = tree->names_capacity ? tree->names_capacity + tree->names_capacity / 4 : 65536;
      while (capacity < tree->names_used + length) capacity += capacity / 4;
      char *pool = realloc(tree->names, capacity);
      if (pool == NULL) return -1;
      tree->names = pool;
      tree->names_capacity = capacity;
    }
  }
  memcpy(tree->names + tree->names_used, name, length);
  tree->names_used += length;
  return (int64_t)(tree->names_used - length);
}

static void link_child(share_tree *tree, int32_t node, int32_t parent) {
  tree_node *n = &tree->nodes[node];
  n->parent = parent;
  n->prev_sibling = -1;
  n->next_sibling = -1;
  if (parent < 0) return;
  n->next_sibling = tree->nodes[parent].first_child;
  if (n->next_sibling >= 0) tree->nodes[n->next_sibling].prev_sibling = node;
  tree->nodes[parent].first_child = node;
}

static void unlink_child(share_tree *tree, int32_t node) {
  tree_node *n = &tree->nodes[node];
  if (n->prev_sibling >= 0) tree->nodes[n->prev_sibling].next_sibling = n->next_sibling;
  else if (n->parent >= 0) tree->nodes[n->parent].first_child = n->next_sibling;
  if (n->next_sibling >= 0) tree->nodes[n->next_sibling].prev_sibling = n->prev_sibling;
  n->parent = n->prev_sibling = n->next_sibling = -1;
}

int32_t tree_add(share_tree *tree, int32_t parent, const char *name, size_t length, int wd, int32_t share) {
  int32_t node = tree->free_head;
  if (node < 0 && tree->used == tree->capacity) {
    // By a quarter, as the name pool.
    int32_t capacity = tree->capacity ? tree->capacity + tree->capacity / 4 : 1024;
    tree_node *nodes = realloc(tree->nodes, (size_t)capacity * sizeof *nodes);
    if (nodes == NULL) return -1;
    tree->nodes = nodes;
    tree->capacity = capacity;
  }
  int64_t offset = store_name(tree, name, length);
  if (offset < 0 || index_put(tree, wd, node >= 0 ? node : tree->used) < 0) return -1;
  if (node >= 0) tree->free_head = tree->nodes[node].next_sibling;
  else node = tree->used++;
  tree->nodes[node] = (tree_node){parent, -1, -1, -1, wd, share, (uint32_t)offset, (uint32_t)length};
  link_child(tree, node, parent);
  tree->live++;
  return node;
}

int tree_has_name(const share_tree *tree, int32_t node, const char *name) {
  const tree_node *n = &tree->nodes[node];
  return strlen(name) == n->name_length && memcmp(tree->names + n->name_offset, name, n->name_length) == 0;
}

int32_t tree_find_child(const share_tree *tree, int32_t parent, const char *name) {
  for (int32_t child = tree->nodes[parent].first_child; child >= 0; child = tree->nodes[child].next_sibling)
    if (tree_has_name(tree, child, name)) return child;
  return -1;
}

// Up to the top, however deep: the tree has no cycle (tree_move is only called when this said
// no), and a capped walk would have let a move under its own subtree make one.
int tree_is_within(const share_tree *tree, int32_t node, int32_t ancestor) {
  for (; node >= 0; node = tree->nodes[node].parent)
    if (node == ancestor) return 1;
  return 0;
}

int tree_move(share_tree *tree, int32_t node, int32_t parent, const char *name) {
  if (!tree_has_name(tree, node, name)) {
    int64_t offset = store_name(tree, name, strlen(name));
    if (offset < 0) return -1;
    tree->names_garbage += tree->nodes[node].name_length;
    tree->nodes[node].name_offset = (uint32_t)offset;
    tree->nodes[node].name_length = (uint32_t)strlen(name);
  }
  if (tree->nodes[node].parent != parent) {
    unlink_child(tree, node);
    link_child(tree, node, parent);
  }
  return 0;
}

// The next node of a pre-order walk of `top`'s subtree after `node`, or -1.
static int32_t next_in_subtree(const share_tree *tree, int32_t node, int32_t top) {
  if (tree->nodes[node].first_child >= 0) return tree->nodes[node].first_child;
  while (node != top) {
    if (tree->nodes[node].next_sibling >= 0) return tree->nodes[node].next_sibling;
    node = tree->nodes[node].parent;
  }
  return -1;
}

void tree_set_share(share_tree *tree, int32_t node, int32_t share) {
  for (int32_t n = node; n >= 0; n = next_in_subtree(tree, n, node)) tree->nodes[n].share = share;
}

void tree_remove(share_tree *tree, int32_t node, void (*each)(int wd, void *context), void *context) {
  unlink_child(tree, node);
  int32_t current = node;
  for (;;) {
    // Down to a leaf through first children, free it, go on with its next sibling (now
    // its parent's first child) or, without one, with its parent (now a leaf).
    while (tree->nodes[current].first_child >= 0) current = tree->nodes[current].first_child;
    tree_node *n = &tree->nodes[current];
    int32_t parent = n->parent, next = n->next_sibling;
    if (each != NULL) each(n->wd, context);
    index_delete(tree, n->wd);
    tree->names_garbage += n->name_length;
    n->share = -1;
    n->wd = -1;
    n->first_child = -1;
    n->next_sibling = tree->free_head;
    tree->free_head = current;
    tree->live--;
    if (current == node) return;
    tree->nodes[parent].first_child = next;
    if (next >= 0) {
      tree->nodes[next].prev_sibling = -1;
      current = next;
    } else {
      current = parent;
    }
  }
}

// The watcher thread's chain buffer, grown to the deepest node met and freed by tree_free.
static __thread int32_t *chain_buffer;
static __thread size_t chain_capacity;

// The nodes from `node` up to its share's directory (excluded), deepest first, however many
// (never truncated: a capped chain opened the wrong directory); how many, or -1 out of memory.
static int64_t get_chain(const share_tree *tree, int32_t node, int32_t **chain) {
  size_t count = 0;
  for (; node >= 0 && tree->nodes[node].parent >= 0; node = tree->nodes[node].parent) {
    if (count == chain_capacity) {
      size_t capacity = chain_capacity ? chain_capacity * 2 : 256;
      int32_t *grown = realloc(chain_buffer, capacity * sizeof *grown);
      if (grown == NULL) return -1;
      chain_buffer = grown;
      chain_capacity = capacity;
    }
    chain_buffer[count++] = node;
  }
  *chain = chain_buffer;
  return (int64_t)count;
}

void tree_get_path(const share_tree *tree, int32_t node, const char *root, char *buffer, size_t size) {
  int32_t *chain;
  int64_t count = get_chain(tree, node, &chain);
  size_t used = (size_t)snprintf(buffer, size, "%s", root);
  for (int64_t i = count - 1; i >= 0 && used + 1 < size; i--) {
    const tree_node *n = &tree->nodes[chain[i]];
    int length = (int)n->name_length;
    used += (size_t)snprintf(buffer + used, size - used, "/%.*s", length, tree->names + n->name_offset);
  }
}

// Before Linux 5.6 (no openat2): one name at a time, each with O_NOFOLLOW.
static int open_by_names(const share_tree *tree, const int32_t *chain, int64_t count, int root_fd) {
  int fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char name[256];
  for (int64_t i = count - 1; i >= 0 && fd >= 0; i--) {
    const tree_node *n = &tree->nodes[chain[i]];
    snprintf(name, sizeof name, "%.*s", (int)n->name_length, tree->names + n->name_offset);
    int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int saved = errno;
    close(fd);
    errno = saved;
    fd = next;
  }
  return fd;
}

int tree_open(const share_tree *tree, int32_t node, int root_fd) {
  int32_t *chain;
  int64_t count = get_chain(tree, node, &chain);
  if (count < 0) return errno = ENOMEM, -1;
  // Each hop resolves up to HOP_BYTES of names from the previous hop's directory, refusing
  // any symlink, mount crossing or escape (the kernel checks each component as it walks):
  // each hop stays beneath the previous one, itself beneath the share's directory. One
  // openat2 of the whole path failed with ENAMETOOLONG past PATH_MAX (red team F3).
  struct open_how how = {
    .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  char path[HOP_BYTES + 2];
  int fd = -1;
  int64_t i = count - 1;
  do {
    size_t used = 0;
    // At least one name per hop (a name is at most 255 bytes).
    for (; i >= 0; i--) {
      const tree_node *n = &tree->nodes[chain[i]];
      if (used > 0 && used + n->name_length + 1 > HOP_BYTES) break;
      memcpy(path + used, tree->names + n->name_offset, n->name_length);
      used += n->name_length;
      path[used++] = '/';
    }
    if (used == 0) path[used++] = '.';
    else used--;
    path[used] = '\0';
    int next = (int)syscall(SYS_openat2, fd >= 0 ? fd : root_fd, path, &how, sizeof how);
    int saved = errno;
    if (fd >= 0) close(fd);
    if (next < 0 && saved == ENOSYS) return open_by_names(tree, chain, count, root_fd);
    errno = saved;
    fd = next;
  } while (i >= 0 && fd >= 0);
  return fd;
}

void tree_free(share_tree *tree) {
  free(tree->nodes);
  free(tree->names);
  free(tree->index_wd);
  free(tree->index_node);
  free(chain_buffer);
  chain_buffer = NULL;
  chain_capacity = 0;
  memset(tree, 0, sizeof *tree);
  tree->free_head = -1;
}
