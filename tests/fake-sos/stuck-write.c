/*
 * stuck-write.so — tests only (LD_PRELOAD): a write to a file whose path
 * ends with $FAKE_STUCK_WRITE succeeds but changes nothing, the way the
 * kernel can refuse to offline a memory block without an error.  diver's
 * read-back must notice.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);

static int
real_open(const char *name, const char *path, int flags, mode_t mode)
{
	int (*next)(const char *, int, ...) =
		(int (*)(const char *, int, ...))dlsym(RTLD_NEXT, name);
	const char *stuck = getenv("FAKE_STUCK_WRITE");
	size_t n = strlen(path), m = stuck ? strlen(stuck) : 0;

	if (m && n >= m && !strcmp(path + n - m, stuck) && (flags & (O_WRONLY | O_RDWR)))
		path = "/dev/null";
	return next(path, flags, mode);
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	return real_open("open", path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	return real_open("open64", path, flags, mode);
}
