/*
 * beneath — opening a path that comes from untrusted hands beneath a
 * directory, with no way out of it.
 *
 * Owns: resolving a relative path under a directory fd so that `..` above
 * the top, absolute paths, absolute symlinks, symlinks that lead out and
 * /proc-style magic links all fail (EXDEV, or ELOOP for magic links), while
 * symlinks that stay inside are followed.  The host kernel does the work
 * with openat2(2) RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (Linux 5.6+);
 * where openat2 is missing (ENOSYS) a component-by-component walk with
 * O_NOFOLLOW gives the same answers.  Does not own what may be opened
 * (read-only shares, file types): the caller decides that.
 *
 * Unlike the rest of libdiver these return a negative errno value, not a
 * struct dv_err: their callers (the splitvm delegate) pass the errno on.
 */
#ifndef DIVER_BENEATH_H
#define DIVER_BENEATH_H

#include <sys/types.h>

/* Symlinks followed in one resolution before ELOOP (Linux's limit). */
#define BENEATH_MAX_LINKS 40

/*
 * openat(dirfd, path, flags, mode), confined beneath dirfd.  flags are
 * open(2)'s (O_CLOEXEC is always added); returns an fd or -errno.
 */
int beneath_open(int dirfd, const char *path, int flags, mode_t mode);

/* The same through the O_NOFOLLOW walk only (the fallback; for tests). */
int beneath_open_walk(int dirfd, const char *path, int flags, mode_t mode);

#endif
