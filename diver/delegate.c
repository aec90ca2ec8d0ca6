/*
 * The splitvm delegate: one request in, one response out, confined to the
 * shares (delegate.h has the format, docs/kernel-interface.md §8 the rules).
 *
 * The request may lie in guest memory that the guest can still change, so
 * every field is read once, into a local copy, before it is checked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "beneath.h"
#include "delegate.h"
#include "err.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the wire is little-endian, like the hosts diver runs on");

#define WRITE_MAX_DEFAULT (1ull << 30)

struct share_root {
	int fd;                 /* O_PATH fd of the directory */
	bool ro;
	char *name;             /* how the guest sees it: /NAME (unused for the first) */
	char *real;             /* its realpath, to refuse confusing configurations */
	dev_t dev;
	ino_t ino;
};

struct handle {
	bool used;
	int fd;                 /* a file's fd; for a directory, dirfd(dir) */
	DIR *dir;               /* OPENDIR's handles */
	bool root;              /* the guest's /: the other shares are listed too */
	size_t next_share;      /* of those, the next to list */
};

struct delegate {
	struct share_root *shares;
	size_t nshares;
	char **env;
	size_t nenv;
	uint64_t write_max, written;
	unsigned fd_max;
	struct handle handles[DELEG_FD_MAX];
	bool exited;
	int status;
};

/* One call being served: the arguments left to take, the response payload. */
struct call {
	struct delegate *d;
	const unsigned char *arg;
	size_t len;
	unsigned char *out;
	size_t cap;
	size_t outlen;
};

/* ---- taking arguments ---- */

static int
take(struct call *c, void *args, size_t size)
{
	if (c->len < size)
		return -DELEG_EINVAL;
	memcpy(args, c->arg, size);
	c->arg += size;
	c->len -= size;
	return 0;
}

/* The op's fixed arguments, which must be all of the payload. */
static int
take_only(struct call *c, void *args, size_t size)
{
	if (c->len != size)
		return -DELEG_EINVAL;
	return take(c, args, size);
}

/* The rest of the payload as a string: NUL-terminated, no NUL inside. */
static int
take_string(struct call *c, char out[DELEG_PATH_MAX])
{
	size_t len = c->len;

	if (len > DELEG_PATH_MAX)
		return -DELEG_ENAMETOOLONG;
	if (len == 0)
		return -DELEG_EINVAL;
	memcpy(out, c->arg, len);
	c->len = 0;
	if (out[len - 1] || memchr(out, '\0', len - 1))
		return -DELEG_EINVAL;
	return len == 1 ? -DELEG_ENOENT : 0;
}

static struct handle *
handle_get(struct delegate *d, int32_t fd, bool dir)
{
	struct handle *h;

	if (fd < 0 || (unsigned)fd >= d->fd_max)
		return NULL;
	h = &d->handles[fd];
	return h->used && !h->dir == !dir ? h : NULL;
}

static int
handle_free_slot(struct delegate *d)
{
	for (unsigned i = 0; i < d->fd_max; i++)
		if (!d->handles[i].used)
			return (int)i;
	return -DELEG_EMFILE;
}

/* ---- paths: which share, and where beneath it ---- */

static const char *
skip_dots(const char *p)
{
	for (;;) {
		while (*p == '/')
			p++;
		if (p[0] == '.' && (p[1] == '/' || !p[1]))
			p++;
		else
			return p;
	}
}

/* The share a guest path leads into, and the path relative to it. */
static int
resolve(const struct delegate *d, const char *path, const struct share_root **sh,
	const char **rel)
{
	const char *p = skip_dots(path);
	size_t n = strcspn(p, "/");

	if (!d->nshares)
		return -DELEG_ENOENT;
	*sh = &d->shares[0];
	for (size_t i = 1; i < d->nshares; i++)
		if (n && strlen(d->shares[i].name) == n && !memcmp(p, d->shares[i].name, n)) {
			*sh = &d->shares[i];
			p = skip_dots(p + n);
			break;
		}
	*rel = *p ? p : ".";
	return 0;
}

static int
open_beneath(const struct delegate *d, const char *path, int flags, mode_t mode,
	     const struct share_root **sh)
{
	const char *rel;
	int r = resolve(d, path, sh, &rel);

	return r < 0 ? r : beneath_open((*sh)->fd, rel, flags, mode);
}

/*
 * For UNLINK and MKDIR: the parent directory (an O_PATH fd) and the last
 * component, which may not be "." or ".." (*name is empty for the top).
 */
static int
open_parent(const struct delegate *d, char *path, const struct share_root **sh,
	    const char **name)
{
	const char *rel;
	char *slash, *end;
	int r = resolve(d, path, sh, &rel);

	if (r < 0)
		return r;
	end = (char *)rel + strlen(rel);
	while (end > rel + 1 && end[-1] == '/')
		*--end = '\0';
	slash = strrchr(rel, '/');
	*name = slash ? slash + 1 : rel;
	if (!strcmp(*name, ".") || !strcmp(*name, "..")) {
		*name = "";     /* the directory itself: open it for the right error */
		return beneath_open((*sh)->fd, rel, O_PATH | O_DIRECTORY, 0);
	}
	if (!slash)
		return beneath_open((*sh)->fd, ".", O_PATH | O_DIRECTORY, 0);
	*slash = '\0';
	return beneath_open((*sh)->fd, rel, O_PATH | O_DIRECTORY, 0);
}

/* ---- the operations ---- */

static int64_t
op_hello(struct call *c)
{
	struct deleg_hello h = { DELEG_PAYLOAD_MAX, DELEG_PATH_MAX, c->d->fd_max, 0 };

	if (c->len)
		return -DELEG_EINVAL;
	if (c->cap < sizeof h)
		return -DELEG_EINVAL;
	memcpy(c->out, &h, sizeof h);
	c->outlen = sizeof h;
	return DELEG_VERSION;
}

static int
open_flags(uint32_t wire, bool ro, int *flags)
{
	const uint32_t known = DELEG_O_ACCMODE | DELEG_O_CREAT | DELEG_O_EXCL |
			       DELEG_O_TRUNC | DELEG_O_APPEND;
	uint32_t acc = wire & DELEG_O_ACCMODE;

	if ((wire & ~known) || acc == DELEG_O_ACCMODE)
		return -DELEG_EINVAL;
	if ((wire & DELEG_O_TRUNC) && acc == DELEG_O_RDONLY)
		return -DELEG_EINVAL;
	if (ro && (acc != DELEG_O_RDONLY || (wire & DELEG_O_CREAT)))
		return -DELEG_EROFS;
	*flags = (acc == DELEG_O_WRONLY ? O_WRONLY : acc == DELEG_O_RDWR ? O_RDWR : O_RDONLY) |
		 (wire & DELEG_O_CREAT ? O_CREAT : 0) | (wire & DELEG_O_EXCL ? O_EXCL : 0) |
		 (wire & DELEG_O_APPEND ? O_APPEND : 0);
	return 0;
}

/* Only regular files and directories; O_TRUNC once that is known. */
static int
open_checked(int fd, bool trunc)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return -DELEG_EACCES;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		return -errno;
	if (trunc && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0)
		return -errno;
	return 0;
}

static int64_t
op_open(struct call *c)
{
	struct deleg_open a;
	char path[DELEG_PATH_MAX];
	const struct share_root *sh;
	const char *rel;
	int r, slot, flags, fd;

	if ((r = take(c, &a, sizeof a)) < 0 || (r = take_string(c, path)) < 0)
		return r;
	if ((r = resolve(c->d, path, &sh, &rel)) < 0 ||
	    (r = open_flags(a.flags, sh->ro, &flags)) < 0)
		return r;
	if ((slot = handle_free_slot(c->d)) < 0)
		return slot;
	/* no blocking on a FIFO, no controlling terminal: the type is checked next */
	fd = beneath_open(sh->fd, rel, flags | O_NONBLOCK | O_NOCTTY, a.mode & 07777);
	if (fd < 0)
		return fd;
	if ((r = open_checked(fd, a.flags & DELEG_O_TRUNC)) < 0) {
		close(fd);
		return r;
	}
	c->d->handles[slot] = (struct handle){ .used = true, .fd = fd };
	return slot;
}

static int64_t
op_read(struct call *c)
{
	struct deleg_rw a;
	struct handle *h;
	size_t n;
	ssize_t got;
	int r;

	if ((r = take_only(c, &a, sizeof a)) < 0)
		return r;
	if (!(h = handle_get(c->d, a.fd, false)))
		return -DELEG_EBADF;
	n = a.count < c->cap ? a.count : c->cap;
	do
		got = read(h->fd, c->out, n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	c->outlen = (size_t)got;
	return got;
}

static int64_t
op_write(struct call *c)
{
	struct deleg_fd a;
	struct handle *h;
	uint64_t left;
	size_t n;
	ssize_t put;
	int r;

	if ((r = take(c, &a, sizeof a)) < 0)
		return r;
	if (a.reserved)
		return -DELEG_EINVAL;
	if (!(h = handle_get(c->d, a.fd, false)))
		return -DELEG_EBADF;
	if (!c->len)
		return 0;
	left = c->d->write_max - c->d->written;
	if (!left)
		return -DELEG_ENOSPC;
	n = c->len < left ? c->len : (size_t)left;
	do
		put = write(h->fd, c->arg, n);
	while (put < 0 && errno == EINTR);
	if (put < 0)
		return -errno;
	c->d->written += (uint64_t)put;
	return put;
}

static void
handle_close(struct handle *h)
{
	if (h->dir)
		closedir(h->dir);
	else
		close(h->fd);
	*h = (struct handle){ 0 };
}

/* The request's one handle, a file's or a directory's; 0 or -errno. */
static int
take_any_handle(struct call *c, struct handle **h)
{
	struct deleg_fd a;
	int r;

	if ((r = take_only(c, &a, sizeof a)) < 0)
		return r;
	if (a.reserved)
		return -DELEG_EINVAL;
	if (!(*h = handle_get(c->d, a.fd, false)) && !(*h = handle_get(c->d, a.fd, true)))
		return -DELEG_EBADF;
	return 0;
}

static int64_t
op_close(struct call *c)
{
	struct handle *h;
	int r;

	if ((r = take_any_handle(c, &h)) < 0)
		return r;
	handle_close(h);
	return 0;
}

static int64_t
op_lseek(struct call *c)
{
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END };
	struct deleg_lseek a;
	struct handle *h;
	off_t off;
	int r;

	if ((r = take_only(c, &a, sizeof a)) < 0)
		return r;
	if (a.whence > DELEG_SEEK_END)
		return -DELEG_EINVAL;
	if (!(h = handle_get(c->d, a.fd, false)))
		return -DELEG_EBADF;
	off = lseek(h->fd, (off_t)a.offset, whences[a.whence]);
	return off < 0 ? -errno : (int64_t)off;
}

/* A host stat into its wire form, as the response's payload. */
static int64_t
answer_stat(struct call *c, int fd)
{
	struct deleg_stat ws;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (c->cap < sizeof ws)
		return -DELEG_EINVAL;
	ws = (struct deleg_stat){
		.size = (uint64_t)st.st_size,
		.mtime_sec = st.st_mtim.tv_sec,
		.mtime_nsec = (uint32_t)st.st_mtim.tv_nsec,
		.mode = (S_ISDIR(st.st_mode) ? DELEG_S_IFDIR : S_ISREG(st.st_mode) ? DELEG_S_IFREG :
			 S_ISLNK(st.st_mode) ? DELEG_S_IFLNK : 0) | (st.st_mode & 07777),
	};
	memcpy(c->out, &ws, sizeof ws);
	c->outlen = sizeof ws;
	return 0;
}

static int64_t
op_fstat(struct call *c)
{
	struct handle *h;
	int r;

	if ((r = take_any_handle(c, &h)) < 0)
		return r;
	return answer_stat(c, h->fd);
}

static int64_t
op_stat(struct call *c)
{
	char path[DELEG_PATH_MAX];
	const struct share_root *sh;
	int64_t r;
	int fd;

	if ((r = take_string(c, path)) < 0)
		return r;
	if ((fd = open_beneath(c->d, path, O_PATH, 0, &sh)) < 0)
		return fd;
	r = answer_stat(c, fd);
	close(fd);
	return r;
}

static int
unlink_dir_error(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? -DELEG_EISDIR : -DELEG_ENOTDIR;
}

static int64_t
op_unlink(struct call *c)
{
	char path[DELEG_PATH_MAX];
	const struct share_root *sh;
	const char *name;
	bool dir_wanted;
	int r, dirfd;

	if ((r = take_string(c, path)) < 0)
		return r;
	dir_wanted = path[strlen(path) - 1] == '/';
	if ((dirfd = open_parent(c->d, path, &sh, &name)) < 0)
		return dirfd;
	if (sh->ro)
		r = -DELEG_EROFS;
	else if (!*name)
		r = -DELEG_EISDIR;
	else if (dir_wanted)    /* "x/": a directory, which UNLINK does not remove */
		r = unlink_dir_error(dirfd, name);
	else
		r = unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
	close(dirfd);
	return r;
}

static int64_t
op_mkdir(struct call *c)
{
	struct deleg_mkdir a;
	char path[DELEG_PATH_MAX];
	const struct share_root *sh;
	const char *name;
	int r, dirfd;

	if ((r = take(c, &a, sizeof a)) < 0 || (r = take_string(c, path)) < 0)
		return r;
	if (a.reserved)
		return -DELEG_EINVAL;
	if ((dirfd = open_parent(c->d, path, &sh, &name)) < 0)
		return dirfd;
	if (sh->ro)
		r = -DELEG_EROFS;
	else if (!*name)
		r = -DELEG_EEXIST;
	else
		r = mkdirat(dirfd, name, a.mode & 07777) < 0 ? -errno : 0;
	close(dirfd);
	return r;
}

static int64_t
op_opendir(struct call *c)
{
	char path[DELEG_PATH_MAX];
	const struct share_root *sh;
	struct stat st;
	DIR *dir;
	int r, slot, fd;

	if ((r = take_string(c, path)) < 0)
		return r;
	if ((slot = handle_free_slot(c->d)) < 0)
		return slot;
	if ((fd = open_beneath(c->d, path, O_RDONLY | O_DIRECTORY, 0, &sh)) < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !(dir = fdopendir(fd))) {
		r = -errno;
		close(fd);
		return r;
	}
	c->d->handles[slot] = (struct handle){
		.used = true, .fd = fd, .dir = dir, .next_share = 1,
		.root = sh == &c->d->shares[0] && st.st_dev == sh->dev && st.st_ino == sh->ino,
	};
	return slot;
}

static bool
is_share_name(const struct delegate *d, const char *name)
{
	for (size_t i = 1; i < d->nshares; i++)
		if (!strcmp(d->shares[i].name, name))
			return true;
	return false;
}

static uint32_t
entry_type(DIR *dir, const struct dirent *de)
{
	struct stat st;
	unsigned char t = de->d_type;

	if (t == DT_UNKNOWN && fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG :
		    S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
	return t == DT_DIR ? DELEG_DT_DIR : t == DT_REG ? DELEG_DT_REG :
	       t == DT_LNK ? DELEG_DT_LNK : DELEG_DT_UNKNOWN;
}

static int64_t
answer_entry(struct call *c, uint32_t type, const char *name)
{
	struct deleg_dirent de = { type, (uint32_t)strlen(name) };

	if (de.namelen >= DELEG_NAME_MAX || c->cap < sizeof de + de.namelen + 1)
		return -DELEG_EINVAL;
	memcpy(c->out, &de, sizeof de);
	memcpy(c->out + sizeof de, name, de.namelen + 1);
	c->outlen = sizeof de + de.namelen + 1;
	return 1;
}

static int64_t
op_readdir(struct call *c)
{
	struct deleg_fd a;
	struct handle *h;
	struct dirent *de;
	int r;

	if ((r = take_only(c, &a, sizeof a)) < 0)
		return r;
	if (a.reserved)
		return -DELEG_EINVAL;
	if (!(h = handle_get(c->d, a.fd, true)))
		return -DELEG_EBADF;
	for (;;) {
		errno = 0;
		if (!(de = readdir(h->dir)))
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (h->root && is_share_name(c->d, de->d_name))
			continue;       /* shown once, as the share */
		return answer_entry(c, entry_type(h->dir, de), de->d_name);
	}
	if (errno)
		return -errno;
	if (h->root && h->next_share < c->d->nshares)
		return answer_entry(c, DELEG_DT_DIR, c->d->shares[h->next_share++].name);
	return 0;
}

static int64_t
op_clock(struct call *c)
{
	struct deleg_clock a;
	struct deleg_timespec wt;
	struct timespec ts;
	int r;

	if ((r = take_only(c, &a, sizeof a)) < 0)
		return r;
	if (a.reserved || a.clock > DELEG_CLOCK_MONOTONIC || c->cap < sizeof wt)
		return -DELEG_EINVAL;
	clock_gettime(a.clock == DELEG_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
	wt = (struct deleg_timespec){ ts.tv_sec, ts.tv_nsec };
	memcpy(c->out, &wt, sizeof wt);
	c->outlen = sizeof wt;
	return 0;
}

static int64_t
op_getenv(struct call *c)
{
	char name[DELEG_PATH_MAX];
	size_t n, vlen;
	int r;

	if ((r = take_string(c, name)) < 0)
		return r;
	n = strlen(name);
	for (size_t i = 0; i < c->d->nenv; i++) {
		const char *v = c->d->env[i];

		if (strncmp(v, name, n) || v[n] != '=')
			continue;
		vlen = strlen(v + n + 1);
		if (c->cap < vlen + 1)
			return -DELEG_EINVAL;
		memcpy(c->out, v + n + 1, vlen + 1);
		c->outlen = vlen + 1;
		return (int64_t)vlen;
	}
	return -DELEG_ENOENT;
}

static int64_t
op_exit(struct call *c)
{
	struct deleg_exit a;
	int r;

	if ((r = take_only(c, &a, sizeof a)) < 0)
		return r;
	if (a.reserved || a.status < 0 || a.status > 255)
		return -DELEG_EINVAL;
	c->d->exited = true;
	c->d->status = a.status;
	return 0;
}

static int64_t (*const ops[DELEG_OP_COUNT])(struct call *) = {
	[DELEG_OP_HELLO] = op_hello,
	[DELEG_OP_OPEN] = op_open,
	[DELEG_OP_READ] = op_read,
	[DELEG_OP_WRITE] = op_write,
	[DELEG_OP_CLOSE] = op_close,
	[DELEG_OP_LSEEK] = op_lseek,
	[DELEG_OP_FSTAT] = op_fstat,
	[DELEG_OP_STAT] = op_stat,
	[DELEG_OP_UNLINK] = op_unlink,
	[DELEG_OP_MKDIR] = op_mkdir,
	[DELEG_OP_OPENDIR] = op_opendir,
	[DELEG_OP_READDIR] = op_readdir,
	[DELEG_OP_CLOCK] = op_clock,
	[DELEG_OP_GETENV] = op_getenv,
	[DELEG_OP_EXIT] = op_exit,
};

size_t
delegate_serve(struct delegate *d, const void *req, size_t reqlen, void *resp,
	       size_t respcap)
{
	struct deleg_req h;
	struct deleg_resp r = { .magic = DELEG_RESP_MAGIC };
	struct call c = { .d = d };

	if (respcap < sizeof r)
		return 0;
	c.out = (unsigned char *)resp + sizeof r;
	c.cap = respcap - sizeof r < DELEG_PAYLOAD_MAX ? respcap - sizeof r : DELEG_PAYLOAD_MAX;
	if (reqlen < sizeof h) {
		r.result = -DELEG_EINVAL;
	} else {
		memcpy(&h, req, sizeof h);
		r.seq = h.seq;
		c.arg = (const unsigned char *)req + sizeof h;
		c.len = h.len;
		if (h.magic != DELEG_REQ_MAGIC || h.len > DELEG_PAYLOAD_MAX ||
		    h.len > reqlen - sizeof h)
			r.result = -DELEG_EINVAL;
		else if (h.op >= DELEG_OP_COUNT)
			r.result = -DELEG_ENOSYS;
		else
			r.result = ops[h.op](&c);
	}
	if (r.result < 0)
		c.outlen = 0;
	r.len = (uint32_t)c.outlen;
	memcpy(resp, &r, sizeof r);
	return sizeof r + c.outlen;
}

bool
delegate_exited(const struct delegate *d, int *status)
{
	if (d->exited && status)
		*status = d->status;
	return d->exited;
}

/* ---- setting up ---- */

/* How the guest names a share: its last component ("." becomes the real one). */
static char *
share_name(const char *dir, const char *real)
{
	size_t len = strlen(dir);
	const char *p;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	p = memrchr(dir, '/', len);
	p = p ? p + 1 : dir;
	len -= (size_t)(p - dir);
	if (!len || (len == 1 && *p == '.') || (len == 2 && !memcmp(p, "..", 2))) {
		p = strrchr(real, '/') + 1;
		len = strlen(p);
	}
	return strndup(p, len);
}

static int
share_open(struct share_root *s, const struct deleg_share *cfg, struct dv_err *e)
{
	struct stat st;

	s->fd = open(cfg->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->fd < 0)
		return errno == ENOTDIR ?
			dv_errf(e, "--share '%s': not a directory", cfg->dir) :
			dv_errno(e, "--share '%s'", cfg->dir);
	if (fstat(s->fd, &st) < 0 || !(s->real = realpath(cfg->dir, NULL)))
		return dv_errno(e, "--share '%s'", cfg->dir);
	s->ro = cfg->ro;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (!(s->name = share_name(cfg->dir, s->real)))
		return dv_errno(e, "--share '%s'", cfg->dir);
	return 0;
}

static bool
path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	if (n == 1)             /* "/" */
		return true;
	return !strncmp(inner, outer, n) && (inner[n] == '/' || !inner[n]);
}

/* Two shares the guest would see under one name, or a read-only share
   that a writable one holds (it could be written through that one). */
static int
shares_check(const struct delegate *d, const struct delegate_config *cfg, struct dv_err *e)
{
	for (size_t i = 0; i < d->nshares; i++)
		for (size_t j = 0; j < d->nshares; j++) {
			const struct share_root *a = &d->shares[i], *b = &d->shares[j];

			if (i && !*a->name)
				return dv_errf(e, "--share '%s': only the first share can be "
					       "the whole file system", cfg->shares[i].dir);
			if (i && j && i < j && !strcmp(a->name, b->name))
				return dv_errf(e, "--share '%s' and --share '%s' would both be "
					       "/%s in the kernel; share one of them through a "
					       "symlink with another name", cfg->shares[i].dir,
					       cfg->shares[j].dir, a->name);
			if (a->ro && !b->ro && path_within(a->real, b->real))
				return dv_errf(e, "--share '%s' is read-only but within the "
					       "writable --share '%s'; make both read-only or "
					       "share disjoint directories", cfg->shares[i].dir,
					       cfg->shares[j].dir);
		}
	return 0;
}

static int
env_copy(struct delegate *d, const struct delegate_config *cfg, struct dv_err *e)
{
	if (!(d->env = calloc(cfg->nenv + 1, sizeof *d->env)))
		return dv_errno(e, "environment");
	for (size_t i = 0; i < cfg->nenv; i++) {
		const char *v = cfg->env[i], *eq = strchr(v, '=');

		if (!eq || eq == v)
			return dv_errf(e, "--env '%s': expected NAME or NAME=VALUE", v);
		if (strlen(eq + 1) >= DELEG_PAYLOAD_MAX)
			return dv_errf(e, "--env '%.*s': value longer than %u bytes",
				       (int)(eq - v), v, DELEG_PAYLOAD_MAX - 1);
		if (!(d->env[i] = strdup(v)))
			return dv_errno(e, "environment");
		d->nenv++;
	}
	return 0;
}

struct delegate *
delegate_new(const struct delegate_config *cfg, struct dv_err *e)
{
	struct delegate *d = calloc(1, sizeof *d);

	if (!d) {
		dv_errno(e, "delegate");
		return NULL;
	}
	d->write_max = cfg->write_max ? cfg->write_max : WRITE_MAX_DEFAULT;
	d->fd_max = cfg->fd_max ? cfg->fd_max : DELEG_FD_MAX;
	if (d->fd_max > DELEG_FD_MAX) {
		dv_errf(e, "delegate: at most %u open files, not %u", DELEG_FD_MAX, d->fd_max);
		goto fail;
	}
	if (cfg->nshares && !(d->shares = calloc(cfg->nshares, sizeof *d->shares))) {
		dv_errno(e, "delegate");
		goto fail;
	}
	for (size_t i = 0; i < cfg->nshares; i++) {
		d->shares[i].fd = -1;
		d->nshares++;
		if (share_open(&d->shares[i], &cfg->shares[i], e) < 0)
			goto fail;
	}
	if (shares_check(d, cfg, e) < 0 || env_copy(d, cfg, e) < 0)
		goto fail;
	return d;
fail:
	delegate_free(d);
	return NULL;
}

void
delegate_free(struct delegate *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < DELEG_FD_MAX; i++)
		if (d->handles[i].used)
			handle_close(&d->handles[i]);
	for (size_t i = 0; i < d->nshares; i++) {
		if (d->shares[i].fd >= 0)
			close(d->shares[i].fd);
		free(d->shares[i].name);
		free(d->shares[i].real);
	}
	free(d->shares);
	for (size_t i = 0; i < d->nenv; i++)
		free(d->env[i]);
	free(d->env);
	free(d);
}

/* ---- configurations from the command line ---- */

int
delegate_config_add_share(struct delegate_config *cfg, const char *arg, struct dv_err *e)
{
	size_t len = strlen(arg);
	bool ro = len >= 3 && !strcmp(arg + len - 3, ":ro");
	struct deleg_share *v;

	if (ro || (len >= 3 && !strcmp(arg + len - 3, ":rw")))
		len -= 3;
	if (!len)
		return dv_errf(e, "--share '%s': expected DIR, DIR:ro or DIR:rw", arg);
	v = realloc(cfg->shares, (cfg->nshares + 1) * sizeof *v);
	if (!v)
		return dv_errno(e, "--share '%s'", arg);
	cfg->shares = v;
	if (!(v[cfg->nshares].dir = strndup(arg, len)))
		return dv_errno(e, "--share '%s'", arg);
	v[cfg->nshares++].ro = ro;
	return 0;
}

int
delegate_config_add_env(struct delegate_config *cfg, const char *arg, struct dv_err *e)
{
	size_t n = strcspn(arg, "=");
	const char *value = arg[n] ? arg + n + 1 : getenv(arg);
	char *entry, **v;

	if (!n)
		return dv_errf(e, "--env '%s': expected NAME or NAME=VALUE", arg);
	if (!value)
		return dv_errf(e, "--env '%s': not set in diver's environment; give "
			       "its value with --env %s=VALUE", arg, arg);
	if (asprintf(&entry, "%.*s=%s", (int)n, arg, value) < 0)
		return dv_errno(e, "--env '%.*s'", (int)n, arg);
	for (size_t i = 0; i < cfg->nenv; i++)
		if (!strncmp(cfg->env[i], entry, n + 1)) {
			free(cfg->env[i]);
			cfg->env[i] = entry;
			return 0;
		}
	if (!(v = realloc(cfg->env, (cfg->nenv + 1) * sizeof *v))) {
		free(entry);
		return dv_errno(e, "--env '%.*s'", (int)n, arg);
	}
	cfg->env = v;
	v[cfg->nenv++] = entry;
	return 0;
}

void
delegate_config_release(struct delegate_config *cfg)
{
	for (size_t i = 0; i < cfg->nshares; i++)
		free(cfg->shares[i].dir);
	free(cfg->shares);
	for (size_t i = 0; i < cfg->nenv; i++)
		free(cfg->env[i]);
	free(cfg->env);
	*cfg = (struct delegate_config){ 0 };
}
