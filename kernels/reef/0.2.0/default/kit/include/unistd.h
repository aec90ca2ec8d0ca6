/*
 * unistd.h — the three descriptors, unbuffered: fd 0 reads the console's
 * stdin (raw bytes; 0 at end of input), fd 1 writes its stdout (any bytes,
 * 0xFF included), fd 2 writes the kernel log.  Other fds give -1.
 */
#ifndef PEBBLE_UNISTD_H
#define PEBBLE_UNISTD_H

#include <stddef.h>

typedef __PTRDIFF_TYPE__ ssize_t;

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);

#endif
