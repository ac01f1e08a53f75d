// The bytes of system.posix_acl_access / posix_acl_default as the kernel stores them
// (include/linux/posix_acl_xattr.h: a version 2 header, then {tag, perm, id} entries in
// little-endian order, sorted by tag then id), built once per rule from the core's AclEntry
// list, and compared with and written to a file through its descriptor. Not libacl: the
// rule is a fixed byte string, so a memcmp of fgetxattr's answer says whether anything
// must be written; libacl would allocate and parse an acl_t per file to say the same.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "share_acl.h"

#define ACL_VERSION 2
#define TAG_USER_OBJ 0x01
#define TAG_USER 0x02
#define TAG_GROUP_OBJ 0x04
#define TAG_GROUP 0x08
#define TAG_MASK 0x10
#define TAG_OTHER 0x20
#define UNDEFINED_ID 0xFFFFFFFFu

static const char access_name[] = "system.posix_acl_access";
static const char default_name[] = "system.posix_acl_default";

typedef struct {
  uint16_t tag;
  uint16_t perm;
  uint32_t id;
} entry;

static int compare_entries(const void *a, const void *b) {
  const entry *x = a, *y = b;
  if (x->tag != y->tag) return x->tag < y->tag ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static const struct {
  const char *name;
  uint16_t tag;
  int named;
} tags[] = {
  {"user-obj", TAG_USER_OBJ, 0}, {"user", TAG_USER, 1}, {"group-obj", TAG_GROUP_OBJ, 0},
  {"group", TAG_GROUP, 1},       {"mask", TAG_MASK, 0}, {"other", TAG_OTHER, 0},
};

static void put16(uint8_t *p, uint16_t v) { p[0] = v & 0xff; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

// Reads one { tag, perm, id } object; NULL or why not.
static const char *parse_entry(napi_env env, napi_value object, entry *out) {
  napi_value value;
  char tag[16];
  size_t length = 0;
  if (napi_get_named_property(env, object, "tag", &value) != napi_ok ||
      napi_get_value_string_utf8(env, value, tag, sizeof tag, &length) != napi_ok)
    return "an ACL entry's tag must be a string";
  int named = -1;
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
    if (strcmp(tag, tags[i].name) == 0) {
      out->tag = tags[i].tag;
      named = tags[i].named;
    }
  }
  if (named < 0) return "an ACL entry's tag must be user-obj, user, group-obj, group, mask or other";
  int64_t number = -1;
  if (napi_get_named_property(env, object, "perm", &value) != napi_ok ||
      napi_get_value_int64(env, value, &number) != napi_ok || number < 0 || number > 7)
    return "an ACL entry's perm must be a number from 0 to 7";
  out->perm = (uint16_t)number;
  out->id = UNDEFINED_ID;
  napi_valuetype type = napi_undefined;
  if (napi_get_named_property(env, object, "id", &value) == napi_ok) napi_typeof(env, value, &type);
  if (!named) return type == napi_undefined ? NULL : "only user and group ACL entries take an id";
  number = -1;
  if (type != napi_number || napi_get_value_int64(env, value, &number) != napi_ok || number < 0 ||
      number >= UNDEFINED_ID)
    return "a user or group ACL entry needs an id from 0 to 4294967294";
  out->id = (uint32_t)number;
  return NULL;
}

const char *parse_acl_entries(napi_env env, napi_value array, acl_blob *out) {
  bool is_array = false;
  uint32_t count = 0;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array) return "an ACL must be an array of entries";
  napi_get_array_length(env, array, &count);
  if (count > SHARE_ACL_MAX_ENTRIES) return "an ACL has at most 32 entries";
  entry entries[SHARE_ACL_MAX_ENTRIES];
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    napi_valuetype type;
    if (napi_get_element(env, array, i, &element) != napi_ok || napi_typeof(env, element, &type) != napi_ok ||
        type != napi_object)
      return "an ACL entry must be an object";
    const char *failure = parse_entry(env, element, &entries[i]);
    if (failure != NULL) return failure;
  }
  qsort(entries, count, sizeof entries[0], compare_entries);
  // What the kernel's posix_acl_valid() asks: one of each *-obj and other, no two entries
  // alike, and a mask as soon as a named entry exists.
  int seen[0x40] = {0};
  for (uint32_t i = 0; i < count; i++) {
    seen[entries[i].tag]++;
    if (i > 0 && entries[i].tag == entries[i - 1].tag && entries[i].id == entries[i - 1].id)
      return "an ACL names the same tag and id twice";
  }
  if (seen[TAG_USER_OBJ] != 1 || seen[TAG_GROUP_OBJ] != 1 || seen[TAG_OTHER] != 1 || seen[TAG_MASK] > 1)
    return "an ACL needs exactly one user-obj, group-obj and other entry, and at most one mask";
  if ((seen[TAG_USER] || seen[TAG_GROUP]) && !seen[TAG_MASK]) return "an ACL with named entries needs a mask";
  put32(out->data, ACL_VERSION);
  for (uint32_t i = 0; i < count; i++) {
    uint8_t *p = out->data + 4 + 8 * i;
    put16(p, entries[i].tag);
    put16(p + 2, entries[i].perm);
    put32(p + 4, entries[i].id);
  }
  out->size = (uint16_t)(4 + 8 * count);
  return NULL;
}

// Writes one xattr when the file's differs (`dry`: only says so); 1 written, 0 already so,
// -1 failed.
// Through /proc/self/fd/N (`link`): works on an O_PATH descriptor too, which fgetxattr does
// not, and reaches the very inode the descriptor holds (checked not to be a symlink).
static int sync_xattr(const char *link, const char *name, const acl_blob *blob, int dry) {
  uint8_t current[sizeof blob->data + 8];
  ssize_t size = getxattr(link, name, current, sizeof current);
  if (size == (ssize_t)blob->size && memcmp(current, blob->data, blob->size) == 0) return 0;
  if (size < 0 && errno != ENODATA && errno != ERANGE) return -1;
  if (dry) return 1;
  return setxattr(link, name, blob->data, blob->size, 0) == 0 ? 1 : -1;
}

static fix_result sync_rule(int fd, const struct stat *st, const share_rule_bytes *rule, int dry);

// Whether the file's access ACL names the same users and groups as `blob` (whatever their
// permissions): a file made inside a share got them from its directory's default ACL; one
// moved in from a home or another share did not.
static int names_same_entries(const char *link, const acl_blob *blob) {
  uint8_t current[sizeof blob->data + 8];
  ssize_t size = getxattr(link, access_name, current, sizeof current);
  if (size < 4 || (size - 4) % 8 != 0) return 0;
  size_t i = 4, j = 4;
  for (;;) {
    while (i < (size_t)size && current[i] != TAG_USER && current[i] != TAG_GROUP) i += 8;
    while (j < blob->size && blob->data[j] != TAG_USER && blob->data[j] != TAG_GROUP) j += 8;
    if (i >= (size_t)size || j >= blob->size) return i >= (size_t)size && j >= blob->size;
    if (current[i] != blob->data[j] || memcmp(current + i + 4, blob->data + j + 4, 4) != 0) return 0;
    i += 8;
    j += 8;
  }
}

fix_result apply_rule_to_fd(int fd, const struct stat *st, const share_rule_bytes *rule) {
  return sync_rule(fd, st, rule, 0);
}

fix_result check_rule_fd(int fd, const struct stat *st, const share_rule_bytes *rule) {
  return sync_rule(fd, st, rule, 1);
}

static fix_result sync_rule(int fd, const struct stat *st, const share_rule_bytes *rule, int dry) {
  int changed = 0, done;
  char link[40];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  if (S_ISREG(st->st_mode)) {
    // Its rights are not the share's to give: a file of root or a system account that did not
    // get the share's entries where it was made (a member may move root's file out of their
    // home into the share: made group-readable, it would leak), or a file with another link (to
    // /etc/shadow, or to another share's file, whose ACL the two shares would take from each
    // other). Refused, and said.
    // Root's own file made in the share (it inherited the share's entries) is the share's.
    const acl_blob *wanted = (st->st_mode & S_IXUSR) ? &rule->executable : &rule->file;
    if (st->st_nlink > 1 || (st->st_uid < 1000 && !names_same_entries(link, wanted))) return FIX_REFUSED;
    done = sync_xattr(link, access_name, wanted, dry);
    if (done < 0) return FIX_FAILED;
    return done ? FIX_CHANGED : FIX_UNCHANGED;
  }
  if (!S_ISDIR(st->st_mode)) return FIX_SKIPPED;
  if ((done = sync_xattr(link, access_name, &rule->directory, dry)) < 0) return FIX_FAILED;
  changed |= done;
  if ((done = sync_xattr(link, default_name, &rule->directory_default, dry)) < 0) return FIX_FAILED;
  changed |= done;
  if (dry && changed) return FIX_CHANGED;
  // The access ACL just set the rwx bits; only the sticky bit is ours to decide.
  struct stat now;
  if (fstat(fd, &now) < 0) return FIX_FAILED;
  mode_t wanted = rule->sticky ? (now.st_mode | S_ISVTX) : (now.st_mode & ~(mode_t)S_ISVTX);
  if ((wanted & 07777) != (now.st_mode & 07777)) {
    if (!dry && chmod(link, wanted & 07777) < 0) return FIX_FAILED;
    changed = 1;
  }
  return changed ? FIX_CHANGED : FIX_UNCHANGED;
}

fix_result apply_rule_at(int dirfd, const char *name, const share_rule_bytes *rule, int *is_dir) {
  struct stat st;
  if (is_dir != NULL) *is_dir = 0;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return FIX_FAILED;
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return FIX_SKIPPED;
  // O_PATH: the inode is pinned without being opened for I/O, so a member's write lease
  // (EWOULDBLOCK), a FIFO or a device never holds the watcher. O_PATH|O_NOFOLLOW gives a
  // symlink's own inode when the name was swapped for one since the fstatat: the fstat
  // below refuses anything but a regular file or a directory before its /proc link is used.
  int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return FIX_FAILED;
  fix_result result = FIX_FAILED;
  if (fstat(fd, &st) == 0) {
    if (is_dir != NULL) *is_dir = S_ISDIR(st.st_mode);
    result = S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ? apply_rule_to_fd(fd, &st, rule) : FIX_SKIPPED;
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return result;
}
