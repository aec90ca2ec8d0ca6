/*
 * unistd.h — the three descriptors, unbuffered: fd 0 reads the console's
 * stdin (raw bytes; 0 at end of input), fd 1 writes its stdout (any bytes,
 * 0xFF included), fd 2 writes the kernel log.  Fds from 3 are host files
 * that open() gave, in splitvm mode (fcntl.h); others give -1 (EBADF).
 */
#ifndef PEBBLE_UNISTD_H
#define PEBBLE_UNISTD_H

#include <stddef.h>

#include <sys/types.h>

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

int close(int fd);
off_t lseek(int fd, off_t offset, int whence);
int unlink(const char *path);

#endif
