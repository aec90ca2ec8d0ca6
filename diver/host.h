/*
 * host — the machine diver deploys on, seen as files and tools.
 *
 * Owns: the paths of /sys, /proc and /dev, which resolve under
 * $DIVER_SYSROOT when it is set (the simulated host of the tests, see
 * docs/hw-mode.md); finding tools in PATH; reading a small sysfs attribute
 * and writing one with read-back (the kernel may refuse a write silently,
 * memory offlining does).
 * Does not own: what the attributes mean (hwplan.h, the backends).
 */
#ifndef DIVER_HOST_H
#define DIVER_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* path (absolute, "/sys/...") on the host: under $DIVER_SYSROOT if set. */
char *host_path(const char *path);
bool host_exists(const char *path);
/* Full path of prog in PATH, or NULL. */
char *host_which(const char *prog);

/* The first line of a host attribute, without its newline, into buf. */
int host_read_attr(const char *path, char *buf, size_t len, struct dv_err *e);
/*
 * Write value (and a newline) to a host attribute, then read it back: an
 * error unless it now reads value.  A no-op when it already does.
 */
int host_write_attr(const char *path, const char *value, struct dv_err *e);

#endif
