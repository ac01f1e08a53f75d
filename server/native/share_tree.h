// The watched directories of every share, in flat arrays (share_tree.c).
#ifndef LICORN_SHARE_TREE_H
#define LICORN_SHARE_TREE_H
#include <stddef.h>
#include <stdint.h>

// One watched directory: 32 bytes, plus its name in the pool and 11 to 23 bytes of index.
typedef struct {
  int32_t parent;       // -1 for a share's directory
  int32_t first_child;  // children are linked through next/prev_sibling
  int32_t next_sibling; // also links free slots
  int32_t prev_sibling;
  int32_t wd;           // its inotify watch
  int32_t share;        // slot of its share in the watcher; -1 when the slot is free
  uint32_t name_offset; // in the name pool (no path is kept: it is rebuilt from parents)
  uint32_t name_length;
} tree_node;

// Every node, the name pool and an index from watch descriptor to node.
typedef struct {
  tree_node *nodes;
  int32_t used, capacity, free_head, live;
  char *names;
  size_t names_used, names_capacity, names_garbage;
  int32_t *index_wd, *index_node; // open addressing, linear probing, 0 = empty
  size_t index_capacity, index_used;
} share_tree;

// Adds a node under `parent` (-1: a share's directory); its index, or -1 when out of memory.
int32_t tree_add(share_tree *tree, int32_t parent, const char *name, size_t length, int wd, int32_t share);
// The node watched by `wd`, or -1.
int32_t tree_find_wd(const share_tree *tree, int wd);
// The child of `parent` named `name`, or -1.
int32_t tree_find_child(const share_tree *tree, int32_t parent, const char *name);
// Whether `node`'s name is `name`.
int tree_has_name(const share_tree *tree, int32_t node, const char *name);
// Whether `ancestor` is `node` or above it.
int tree_is_within(const share_tree *tree, int32_t node, int32_t ancestor);
// Moves `node` (and what is below it) under `parent` as `name`; 0, or -1 out of memory.
int tree_move(share_tree *tree, int32_t node, int32_t parent, const char *name);
// Gives `node` and everything below it to `share`.
void tree_set_share(share_tree *tree, int32_t node, int32_t share);
// Frees `node` and everything below it, calling `each` with every freed node's wd first.
void tree_remove(share_tree *tree, int32_t node, void (*each)(int wd, void *context), void *context);
// Writes `root` and the names from the share's directory down to `node` into `buffer`.
void tree_get_path(const share_tree *tree, int32_t node, const char *root, char *buffer, size_t size);
// Opens `node`'s directory below its share's directory `root_fd`, never following a
// symlink nor leaving the share or its filesystem: a descriptor, or -1 with errno.
int tree_open(const share_tree *tree, int32_t node, int root_fd);
// Frees every array.
void tree_free(share_tree *tree);

#endif
