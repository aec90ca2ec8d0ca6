/*
 * unistd.c — read() and write() on the three descriptors, unbuffered:
 * fd 0 is the console's stdin (0 at end of input), fd 1 its stdout, fd 2
 * the log.  write(1) flushes what printf left in stdout's buffer first, so
 * that output keeps its order when an app mixes the two.  Fds from 3 are
 * host files, delegated in splitvm mode (deleg.c).
 */
#include <unistd.h>

#include "kernel.h"

ssize_t
read(int fd, void *buf, size_t n)
{
	if (fd > STDERR_FILENO)
		return pb_deleg_read(fd, buf, n);
	if (fd != STDIN_FILENO)
		return -1;
	pb_stdout_flush();              /* the prompt before the wait */
	return pb_console_read(buf, n);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	if (fd == STDOUT_FILENO) {
		pb_stdout_flush();
		pb_console_write(buf, n);
	} else if (fd == STDERR_FILENO) {
		pb_log_write(buf, n);
	} else {
		return pb_deleg_write(fd, buf, n);
	}
	return (ssize_t)n;
}
