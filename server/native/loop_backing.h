// The file behind a loop device, to probe in its place (loop_backing.c).
#ifndef LICORN_LOOP_BACKING_H
#define LICORN_LOOP_BACKING_H

// A read-only descriptor of the regular file a whole loop device (open as device_fd) shows,
// checked to be the loop's own, with the part of it the device shows (*offset, *size: what to
// probe); -1 when there is none or it may differ: the device is probed instead.
int open_loop_backing(int device_fd, long long *offset, long long *size);

#endif
