#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "beneath.h"

/* openat2 may ask to retry when a rename raced with a `..` */
#define OPENAT2_RETRIES 8

int
beneath_open(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int tries = 0;
	long fd;

	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < OPENAT2_RETRIES);
	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS)
		return -errno;
	return beneath_open_walk(dirfd, path, flags, mode);
}

/*
 * The walk: fds[0] is the caller's directory, fds[1..n-1] the directories
 * walked into (ours to close); rest is what is left to resolve, with the
 * targets of symlinks spliced in front as they are met.
 */
struct walk {
	int fds[PATH_MAX / 2 + BENEATH_MAX_LINKS * 2];
	size_t n;
	char *rest;
	size_t pos;
	int links;
	bool expanded;          /* the last step replaced a symlink */
};

static int
top(const struct walk *w)
{
	return w->fds[w->n - 1];
}

static void
walk_release(struct walk *w)
{
	while (w->n > 1)
		close(w->fds[--w->n]);
	free(w->rest);
}

/* The next component into name; *last when nothing follows, *slash when a
   '/' does (a trailing slash: the last component must be a directory). */
static int
next_component(struct walk *w, char name[NAME_MAX + 1], bool *last, bool *slash)
{
	const char *p = w->rest + w->pos, *end;
	size_t len;

	end = strchr(p, '/');
	len = end ? (size_t)(end - p) : strlen(p);
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, p, len);
	name[len] = '\0';
	p += len;
	*slash = *p == '/';
	while (*p == '/')
		p++;
	*last = !*p;
	w->pos = (size_t)(p - w->rest);
	return 0;
}

static int
walk_up(struct walk *w)
{
	if (w->n == 1)
		return -EXDEV;
	close(w->fds[--w->n]);
	return 0;
}

/* Replace the symlink `name` by its target, in front of what is left. */
static int
expand_link(struct walk *w, const char *name, bool slash)
{
	char target[PATH_MAX];
	const char *after = w->rest + w->pos;
	struct statfs fs;
	ssize_t len;
	char *rest;

	if (++w->links > BENEATH_MAX_LINKS)
		return -ELOOP;
	if (fstatfs(top(w), &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC)
		return -ELOOP;          /* a magic link, as RESOLVE_NO_MAGICLINKS says */
	len = readlinkat(top(w), name, target, sizeof target);
	if (len < 0)
		return -errno;
	if ((size_t)len >= sizeof target)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	if (target[0] == '/')
		return -EXDEV;
	rest = malloc((size_t)len + 2 + strlen(after));
	if (!rest)
		return -ENOMEM;
	memcpy(rest, target, (size_t)len);
	rest[len] = '\0';
	if (*after || slash)
		strcat(rest, "/");
	strcat(rest, after);
	free(w->rest);
	w->rest = rest;
	w->pos = 0;
	w->expanded = true;
	return 0;
}

/* One component: descend into it, expand it, or (last) open it. */
static int
step(struct walk *w, const char *name, bool last, bool slash, int flags, mode_t mode)
{
	struct stat st;
	int fd;

	if (fstatat(top(w), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
	    !(last && !slash && (flags & O_NOFOLLOW)))
		return expand_link(w, name, slash);
	if (last) {
		fd = openat(top(w), name, flags | (slash ? O_DIRECTORY : 0) |
			    O_NOFOLLOW | O_CLOEXEC, mode);
		return fd < 0 ? -errno : fd;
	}
	if (w->n == sizeof w->fds / sizeof w->fds[0])
		return -ENAMETOOLONG;
	fd = openat(top(w), name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w->fds[w->n++] = fd;
	return 0;
}

/* "." or ".." as a component: stay or go up; the last one is opened. */
static int
step_dots(struct walk *w, const char *name, bool last, int flags, mode_t mode)
{
	int r = 0, fd;

	if (name[1] == '.')
		r = walk_up(w);
	if (r < 0 || !last)
		return r;
	fd = openat(top(w), ".", flags | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

int
beneath_open_walk(int dirfd, const char *path, int flags, mode_t mode)
{
	struct walk w = { .fds = { dirfd }, .n = 1 };
	char name[NAME_MAX + 1];
	bool last = false, slash;
	int r;

	if (!*path)
		return -ENOENT;
	if (*path == '/')
		return -EXDEV;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!(w.rest = strdup(path)))
		return -ENOMEM;
	do {
		if ((r = next_component(&w, name, &last, &slash)) < 0)
			break;
		w.expanded = false;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			r = step_dots(&w, name, last, flags, mode);
		else
			r = step(&w, name, last, slash, flags, mode);
		if (w.expanded)         /* what the link leads to is resolved next */
			last = false;
	} while (r == 0 && !last);
	walk_release(&w);
	return r;
}
