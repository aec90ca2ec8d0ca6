/*
 * deleg.c — the app's file, directory, time and environment calls, which
 * the kernel does not implement: in splitvm mode each is one request to
 * diver's delegate over the channel's mailbox (docs/kernel-interface.md
 * §8 is the wire format, §2a the mailbox), answered before the next.
 * Without delegation every call fails with ENOSYS.  Fds 0-2 stay the
 * console's; a host handle h is fd h + 3.
 *
 * Part of the C library: in pebble's libpebble.a, and compiled into reef's
 * libreef.a, where pb_deleg_transport goes through the kernel's table.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"

#define REQ_MAGIC 0x51525644u           /* "DVRQ" */
#define RESP_MAGIC 0x53525644u          /* "DVRS" */
#define PAYLOAD_MAX 65536u
#define PATH_MAX_BYTES 4096u
#define FD_BASE 3                       /* fd = handle + 3 */

enum { OP_OPEN = 1, OP_READ, OP_WRITE, OP_CLOSE, OP_LSEEK, OP_FSTAT, OP_STAT,
       OP_UNLINK, OP_MKDIR, OP_OPENDIR, OP_READDIR, OP_CLOCK, OP_GETENV };

struct req_header { uint32_t magic, op, seq, len; };
struct resp_header { uint32_t magic, seq; int64_t result; uint32_t len, reserved; };
struct arg_pair { uint32_t a, b; };             /* open, fd, rw, mkdir, clock */
struct arg_lseek { int32_t fd; uint32_t whence; int64_t offset; };
struct wire_stat { uint64_t size; int64_t mtime_sec; uint32_t mtime_nsec, mode; };
struct wire_dirent { uint32_t type, namelen; };
struct wire_timespec { int64_t sec, nsec; };

int errno;

struct pb_dir {
	int fd;
	struct dirent entry;
};

static uint8_t message[sizeof(struct req_header) + 16 + PAYLOAD_MAX];
static uint32_t last_seq;

/*
 * One call: op with fixed arguments and a tail (a path, or bytes), the
 * response's payload into out (at most cap bytes, *got of them).  Returns
 * the result, or -1 with errno.
 */
static int64_t
call(uint32_t op, const void *args, size_t nargs, const void *tail, size_t ntail,
     void *out, size_t cap, size_t *got)
{
	struct req_header *h = (struct req_header *)message;
	struct resp_header r;
	void *resp;
	long n;

	if (!pb_deleg_available())
		return errno = ENOSYS, -1;
	if (nargs + ntail > PAYLOAD_MAX)
		return errno = EINVAL, -1;
	*h = (struct req_header){ REQ_MAGIC, op, ++last_seq, (uint32_t)(nargs + ntail) };
	memcpy(message + sizeof *h, args, nargs);
	memcpy(message + sizeof *h + nargs, tail, ntail);
	n = pb_deleg_transport(message, sizeof *h + nargs + ntail, &resp);
	if (n < (long)sizeof r)
		return errno = EIO, -1;
	memcpy(&r, resp, sizeof r);
	if (r.magic != RESP_MAGIC || r.seq != last_seq || r.len > (uint32_t)n - sizeof r)
		return errno = EIO, -1;
	if (r.result < 0)
		return errno = (int)-r.result, -1;
	if (got) {
		*got = r.len < cap ? r.len : cap;
		memcpy(out, (uint8_t *)resp + sizeof r, *got);
	}
	return r.result;
}

static int64_t
call_path(uint32_t op, const void *args, size_t nargs, const char *path,
	  void *out, size_t cap, size_t *got)
{
	size_t len = strlen(path) + 1;

	if (len > PATH_MAX_BYTES)
		return errno = ENAMETOOLONG, -1;
	return call(op, args, nargs, path, len, out, cap, got);
}

static int
to_fd(int64_t handle)
{
	return handle < 0 ? -1 : (int)handle + FD_BASE;
}

int
open(const char *path, int flags, ...)
{
	struct arg_pair a = { (uint32_t)flags, 0 };
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		a.b = va_arg(ap, unsigned) & 07777;
		va_end(ap);
	}

	return to_fd(call_path(OP_OPEN, &a, sizeof a, path, NULL, 0, NULL));
}

long
pb_deleg_read(int fd, void *buf, size_t n)
{
	struct arg_pair a = { (uint32_t)(fd - FD_BASE), n > PAYLOAD_MAX ? PAYLOAD_MAX : (uint32_t)n };
	size_t got = 0;

	if (call(OP_READ, &a, sizeof a, NULL, 0, buf, n, &got) < 0)
		return -1;
	return (long)got;
}

long
pb_deleg_write(int fd, const void *buf, size_t n)
{
	struct arg_pair a = { (uint32_t)(fd - FD_BASE), 0 };
	size_t chunk = n > PAYLOAD_MAX - sizeof a ? PAYLOAD_MAX - sizeof a : n;

	return (long)call(OP_WRITE, &a, sizeof a, buf, chunk, NULL, 0, NULL);
}

static int
fd_call(uint32_t op, int fd, void *out, size_t cap, size_t *got)
{
	struct arg_pair a = { (uint32_t)(fd - FD_BASE), 0 };

	if (fd < FD_BASE)
		return errno = EBADF, -1;
	return (int)call(op, &a, sizeof a, NULL, 0, out, cap, got);
}

int
close(int fd)
{
	return fd < FD_BASE ? 0 : fd_call(OP_CLOSE, fd, NULL, 0, NULL);
}

off_t
lseek(int fd, off_t offset, int whence)
{
	struct arg_lseek a = { fd - FD_BASE, (uint32_t)whence, offset };

	if (fd < FD_BASE)
		return errno = ESPIPE, -1;
	return call(OP_LSEEK, &a, sizeof a, NULL, 0, NULL, 0, NULL);
}

/* After the call (not as an argument beside it: got is its result). */
static int
fill_stat(const struct wire_stat *w, size_t got, struct stat *st)
{
	if (got < sizeof *w)
		return errno = EIO, -1;
	st->st_size = (off_t)w->size;
	st->st_mode = w->mode;
	st->st_mtime = w->mtime_sec;
	st->st_mtime_nsec = (long)w->mtime_nsec;
	return 0;
}

int
fstat(int fd, struct stat *st)
{
	struct wire_stat w;
	size_t got = 0;

	if (fd_call(OP_FSTAT, fd, &w, sizeof w, &got) < 0)
		return -1;
	return fill_stat(&w, got, st);
}

int
stat(const char *path, struct stat *st)
{
	struct wire_stat w;
	size_t got = 0;

	if (call_path(OP_STAT, NULL, 0, path, &w, sizeof w, &got) < 0)
		return -1;
	return fill_stat(&w, got, st);
}

int
unlink(const char *path)
{
	return (int)call_path(OP_UNLINK, NULL, 0, path, NULL, 0, NULL);
}

int
mkdir(const char *path, mode_t mode)
{
	struct arg_pair a = { mode & 07777, 0 };

	return (int)call_path(OP_MKDIR, &a, sizeof a, path, NULL, 0, NULL);
}

DIR *
opendir(const char *path)
{
	int fd = to_fd(call_path(OP_OPENDIR, NULL, 0, path, NULL, 0, NULL));
	DIR *d;

	if (fd < 0)
		return NULL;
	if (!(d = malloc(sizeof *d))) {
		fd_call(OP_CLOSE, fd, NULL, 0, NULL);
		return errno = ENOMEM, NULL;
	}
	d->fd = fd;
	return d;
}

struct dirent *
readdir(DIR *d)
{
	uint8_t buf[sizeof(struct wire_dirent) + 256];
	struct wire_dirent w;
	size_t got = 0;

	if (fd_call(OP_READDIR, d->fd, buf, sizeof buf, &got) <= 0 || got < sizeof w)
		return NULL;
	memcpy(&w, buf, sizeof w);
	if (w.namelen > 255 || w.namelen > got - sizeof w)
		return errno = EIO, NULL;
	d->entry.d_type = (unsigned char)w.type;
	memcpy(d->entry.d_name, buf + sizeof w, w.namelen);
	d->entry.d_name[w.namelen] = 0;
	return &d->entry;
}

int
closedir(DIR *d)
{
	int rc = fd_call(OP_CLOSE, d->fd, NULL, 0, NULL);

	free(d);
	return rc;
}

int
clock_gettime(clockid_t clock, struct timespec *ts)
{
	struct arg_pair a = { (uint32_t)clock, 0 };
	struct wire_timespec w;
	size_t got = 0;

	if (call(OP_CLOCK, &a, sizeof a, NULL, 0, &w, sizeof w, &got) < 0)
		return -1;
	if (got < sizeof w)
		return errno = EIO, -1;
	ts->tv_sec = w.sec;
	ts->tv_nsec = (long)w.nsec;
	return 0;
}

/* Each value lives as long as the run: getenv's result is never freed. */
char *
getenv(const char *name)
{
	static char value[PAYLOAD_MAX];
	size_t got = 0;
	char *copy;

	if (call_path(OP_GETENV, NULL, 0, name, value, sizeof value - 1, &got) < 0)
		return NULL;
	value[got] = 0;
	if (!(copy = malloc(strlen(value) + 1)))
		return NULL;
	return strcpy(copy, value);
}

char *
strerror(int errnum)
{
	static const struct { int n; const char *text; } texts[] = {
		{ EPERM, "operation not permitted" }, { ENOENT, "no such file or directory" },
		{ EIO, "input/output error" }, { EBADF, "bad file descriptor" },
		{ ENOMEM, "out of memory" }, { EACCES, "permission denied" },
		{ EEXIST, "file exists" }, { EXDEV, "outside the shared directories" },
		{ ENOTDIR, "not a directory" }, { EISDIR, "is a directory" },
		{ EINVAL, "invalid argument" }, { EMFILE, "too many open files" },
		{ EFBIG, "file too large" }, { ENOSPC, "no space left (write limit reached)" },
		{ ESPIPE, "illegal seek" }, { EROFS, "read-only share" },
		{ ENAMETOOLONG, "file name too long" },
		{ ENOSYS, "not delegated here (dive with -d splitvm)" },
		{ ENOTEMPTY, "directory not empty" }, { ELOOP, "too many symbolic links" },
	};

	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		if (texts[i].n == errnum)
			return (char *)texts[i].text;
	return (char *)"unknown error";
}
