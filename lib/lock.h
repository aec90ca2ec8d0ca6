/*
 * lock — advisory file locks (flock) for state that several diver, bundler
 * or catalog-gen processes may touch at once: a mirror being imported, a
 * cache entry being downloaded.
 *
 * Owns: creating the lock file and holding the lock; the lock is released
 * when the returned descriptor is closed with lock_release (or the process
 * dies, so a killed process never leaves a stale lock).
 */
#ifndef DIVER_LOCK_H
#define DIVER_LOCK_H

#include <stdbool.h>

#include "err.h"

/* Returns a descriptor >= 0 holding the lock, or -1.  what is for messages. */
int lock_acquire(const char *path, bool exclusive, bool wait, const char *what,
		 struct dv_err *e);
void lock_release(int fd);

#endif
