/*
 * fcntl.h — open(): a host file, in splitvm mode, through the delegate
 * (docs/kernel-interface.md §8); the fd it returns is 3 or more.  Without
 * delegation (vm mode) it fails with ENOSYS.
 */
#ifndef PEBBLE_FCNTL_H
#define PEBBLE_FCNTL_H

#include <sys/types.h>

#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_ACCMODE 03
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000

int open(const char *path, int flags, ...);

#endif
