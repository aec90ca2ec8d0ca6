/*
 * unistd.h — pebble: fd 0 is stdin (ends when the host says so), fd 1 the
 * console, fd 2 the kernel log.
 */
#ifndef PEBBLE_UNISTD_H
#define PEBBLE_UNISTD_H

#include <stddef.h>

typedef int ssize_t;

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);

#endif
