/*
 * relay — what every backend does the same way with a net's byte streams
 * on the host: stdout written whole even when it is non-blocking, the
 * kernel log passed on in whole lines (so a log line is never cut by the
 * console's output on a terminal), Linux's panic message picked out of
 * that log, and the monotonic clock that deadlines are kept with.  It
 * holds no state: the backend owns the buffers and the descriptors.
 */
#ifndef DIVER_RELAY_H
#define DIVER_RELAY_H

#include <stddef.h>
#include <sys/types.h>

#include "strbuf.h"

/* Monotonic seconds. */
double relay_now(void);

/* All n bytes to stdout, waiting while it is full; -1 when it fails (EPIPE). */
int relay_write_stdout(const unsigned char *b, size_t n);

/*
 * n log bytes (n > 0) join line and the complete lines at its front go to
 * fd; n <= 0 is the end of the log, and all of line goes.  When panic is
 * not NULL and *panic is, *panic receives (the caller frees it) the
 * message of a "Kernel panic - not syncing: MSG" line written.
 */
void relay_log(struct strbuf *line, const void *buf, ssize_t n, int fd, char **panic);

#endif
