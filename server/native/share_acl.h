// The ACL bytes of a share's rule and their application to one open file (share_acl.c).
#ifndef LICORN_SHARE_ACL_H
#define LICORN_SHARE_ACL_H
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <node_api.h>

// More than any share rule needs (Licorn's has 8), and small enough to live inline.
#define SHARE_ACL_MAX_ENTRIES 32

// One ACL as the kernel stores it in system.posix_acl_* (posix_acl_xattr_header + entries).
typedef struct {
  uint16_t size;
  uint8_t data[4 + 8 * SHARE_ACL_MAX_ENTRIES];
} acl_blob;

// What every directory and regular file of one share must carry.
typedef struct {
  acl_blob directory;
  acl_blob directory_default;
  acl_blob file;
  acl_blob executable;
  int sticky;
} share_rule_bytes;

// Reads a JS array of AclEntry into kernel bytes (sorted, checked as the kernel would);
// NULL when it is valid, else why not (the caller throws it, naming `name`).
const char *parse_acl_entries(napi_env env, napi_value array, acl_blob *out);

// What applying a rule to one entry did.
typedef enum { FIX_UNCHANGED = 0, FIX_CHANGED = 1, FIX_SKIPPED = 2, FIX_REFUSED = 3, FIX_FAILED = -1 } fix_result;

// Gives an open regular file or directory (`st` its fstat) the rule, writing only what
// differs. FIX_SKIPPED for anything else, and for a hard link of root's or a system
// account's file. FIX_FAILED with errno set.
fix_result apply_rule_to_fd(int fd, const struct stat *st, const share_rule_bytes *rule);

// Whether `fd` already carries the rule (FIX_UNCHANGED) or would be changed (FIX_CHANGED),
// without changing it.
fix_result check_rule_fd(int fd, const struct stat *st, const share_rule_bytes *rule);

// Opens `name` in `dirfd` without following a symlink (a device, FIFO or socket is never
// opened), then applies the rule as above. `is_dir` says what it was (may be NULL).
fix_result apply_rule_at(int dirfd, const char *name, const share_rule_bytes *rule, int *is_dir);

#endif
