/*
 * errno.h — why the last delegated call failed (the Linux numbers, as the
 * host reported them).  Console calls do not set it.
 */
#ifndef PEBBLE_ERRNO_H
#define PEBBLE_ERRNO_H

extern int errno;

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define EBADF 9
#define ENOMEM 12
#define EACCES 13
#define EEXIST 17
#define EXDEV 18
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EMFILE 24
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40

#endif
