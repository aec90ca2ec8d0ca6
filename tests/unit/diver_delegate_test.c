/*
 * diver/delegate.c: every op on real files, and hostile requests — escapes,
 * read-only shares, exhausted limits, malformed messages.  Each refusal
 * checks the errno the guest gets and that nothing outside the share moved.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../diver/delegate.h"
#include "err.h"
#include "fs.h"
#include "harness.h"
#include "strbuf.h"

static char *
tmp(const char *name)
{
	return fs_join(harness_tmpdir(), name);
}

static void
put(const char *path, const char *text)
{
	char *p = tmp(path);
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
	free(p);
}

static void
link_to(const char *path, const char *target)
{
	char *p = tmp(path);

	if (symlink(target, p) < 0)
		harness_fail(__FILE__, __LINE__, "symlink %s: %s", p, strerror(errno));
	free(p);
}

static void
dir(const char *path)
{
	char *p = tmp(path);

	mkdir(p, 0755);
	free(p);
}

/* What the test's files hold; NULL when the file is missing. */
static char *
slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct dv_err e;
	char *p = tmp(path);
	int r = fs_read_file(p, 1 << 20, &sb, &e);

	free(p);
	if (r < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * tmp/share (writable, the guest's /), tmp/ro (read-only, /ro) and
 * tmp/outside, which the guest must never reach.
 */
static void
make_tree(void)
{
	static int made;

	if (made++)
		return;
	dir("share");
	dir("share/sub");
	dir("ro");
	dir("outside");
	put("share/file.txt", "hello, world\n");
	put("share/sub/inner.txt", "inner\n");
	put("ro/r.txt", "read only\n");
	put("outside/secret", "TOP SECRET\n");
	link_to("share/etc", "/etc");
	link_to("share/chain1", "chain2");
	link_to("share/chain2", "sub/../../outside");
	link_to("share/dotdot", "..");
	link_to("share/inside", "sub/inner.txt");
	link_to("share/dangle", "../outside/created");
	link_to("ro/out", "../share/file.txt");
}

/* outside/ holds exactly "secret", unchanged */
static bool
outside_intact(void)
{
	char *s = slurp("outside/secret");
	char *p = tmp("outside");
	struct strbuf sb = STRBUF_INIT;
	bool ok = s && !strcmp(s, "TOP SECRET\n");
	FILE *ls;
	char cmd[512];

	snprintf(cmd, sizeof cmd, "ls -A '%s'", p);
	ls = popen(cmd, "r");
	for (int ch; (ch = fgetc(ls)) != EOF;)
		strbuf_addch(&sb, (char)ch);
	pclose(ls);
	ok = ok && !strcmp(sb.buf, "secret\n");
	strbuf_release(&sb);
	free(s);
	free(p);
	return ok;
}

static struct delegate *
delegate_with(uint64_t write_max)
{
	char *share = tmp("share"), *ro = tmp("ro");
	struct deleg_share shares[] = { { share, false }, { ro, true } };
	char *env[] = { "FOO=bar", "EMPTY=" };
	struct delegate_config cfg = { shares, 2, env, 2, write_max, 0 };
	struct dv_err e = { "" };
	struct delegate *d;

	make_tree();
	d = delegate_new(&cfg, &e);
	if (!d)
		harness_fail(__FILE__, __LINE__, "delegate_new: %s", e.msg);
	free(share);
	free(ro);
	return d;
}

/* The last response's payload. */
static unsigned char out[DELEG_MSG_MAX];
static size_t outlen;

/* Send op with fixed arguments and a string (NULL: none); the result. */
static int64_t
call(struct delegate *d, uint32_t op, const void *args, size_t alen, const char *str)
{
	static unsigned char req[DELEG_MSG_MAX + 8192], resp[DELEG_MSG_MAX];
	size_t slen = str ? strlen(str) + 1 : 0;
	struct deleg_req h = { DELEG_REQ_MAGIC, op, 77, (uint32_t)(alen + slen) };
	struct deleg_resp r;
	size_t n;

	memcpy(req, &h, sizeof h);
	if (alen)
		memcpy(req + sizeof h, args, alen);
	if (slen)
		memcpy(req + sizeof h + alen, str, slen);
	n = delegate_serve(d, req, sizeof h + alen + slen, resp, sizeof resp);
	memcpy(&r, resp, sizeof r);
	if (n != sizeof r + r.len || r.magic != DELEG_RESP_MAGIC || r.seq != 77 || r.reserved)
		harness_fail(__FILE__, __LINE__, "op %u: bad response header", op);
	memcpy(out, resp + sizeof r, r.len);
	outlen = r.len;
	return r.result;
}

static int64_t
path_op(struct delegate *d, uint32_t op, const char *path)
{
	return call(d, op, NULL, 0, path);
}

static int64_t
open_path(struct delegate *d, const char *path, uint32_t flags)
{
	struct deleg_open a = { flags, 0644 };

	return call(d, DELEG_OP_OPEN, &a, sizeof a, path);
}

static int64_t
fd_op(struct delegate *d, uint32_t op, int64_t fd)
{
	struct deleg_fd a = { (int32_t)fd, 0 };

	return call(d, op, &a, sizeof a, NULL);
}

static int64_t
read_fd(struct delegate *d, int64_t fd, uint32_t count)
{
	struct deleg_rw a = { (int32_t)fd, count };

	return call(d, DELEG_OP_READ, &a, sizeof a, NULL);
}

static int64_t
write_fd(struct delegate *d, int64_t fd, const char *data)
{
	unsigned char buf[64];
	struct deleg_fd a = { (int32_t)fd, 0 };
	size_t n = strlen(data);

	memcpy(buf, &a, sizeof a);
	memcpy(buf + sizeof a, data, n);
	return call(d, DELEG_OP_WRITE, buf, sizeof a + n, NULL);
}

static struct deleg_stat
stat_of(void)
{
	struct deleg_stat st = { 0 };

	if (outlen == sizeof st)
		memcpy(&st, out, sizeof st);
	return st;
}

TEST(hello)
{
	struct delegate *d = delegate_with(0);
	struct deleg_hello h;

	CHECK(call(d, DELEG_OP_HELLO, NULL, 0, NULL) == DELEG_VERSION);
	CHECK(outlen == sizeof h);
	memcpy(&h, out, sizeof h);
	CHECK(h.payload_max == DELEG_PAYLOAD_MAX && h.path_max == DELEG_PATH_MAX &&
	      h.fd_max == DELEG_FD_MAX);
	delegate_free(d);
}

TEST(open_write_read_lseek_fstat_close)
{
	struct delegate *d = delegate_with(0);
	struct deleg_lseek sk = { 0, DELEG_SEEK_SET, 7 };
	int64_t fd = open_path(d, "/new.txt", DELEG_O_WRONLY | DELEG_O_CREAT | DELEG_O_TRUNC);
	char *host;

	CHECK(fd >= 0);
	CHECK(write_fd(d, fd, "hello, delegate") == 15);
	CHECK(fd_op(d, DELEG_OP_CLOSE, fd) == 0);
	CHECK(fd_op(d, DELEG_OP_CLOSE, fd) == -DELEG_EBADF);
	CHECK_STR(host = slurp("share/new.txt"), "hello, delegate");
	free(host);

	fd = open_path(d, "new.txt", DELEG_O_RDONLY);
	CHECK(fd >= 0);
	CHECK(read_fd(d, fd, 5) == 5 && !memcmp(out, "hello", 5));
	sk.fd = (int32_t)fd;
	CHECK(call(d, DELEG_OP_LSEEK, &sk, sizeof sk, NULL) == 7);
	CHECK(read_fd(d, fd, 1000) == 8 && outlen == 8 && !memcmp(out, "delegate", 8));
	CHECK(read_fd(d, fd, 1000) == 0 && outlen == 0);
	sk = (struct deleg_lseek){ (int32_t)fd, DELEG_SEEK_END, -3 };
	CHECK(call(d, DELEG_OP_LSEEK, &sk, sizeof sk, NULL) == 12);
	sk.whence = 7;
	CHECK(call(d, DELEG_OP_LSEEK, &sk, sizeof sk, NULL) == -DELEG_EINVAL);
	CHECK(fd_op(d, DELEG_OP_FSTAT, fd) == 0);
	CHECK(stat_of().size == 15 && stat_of().mode == (DELEG_S_IFREG | 0644));
	CHECK(stat_of().mtime_sec > time(NULL) - 3600 && stat_of().mtime_sec <= time(NULL));
	CHECK(write_fd(d, fd, "x") == -DELEG_EBADF);   /* opened read-only */
	CHECK(fd_op(d, DELEG_OP_CLOSE, fd) == 0);

	fd = open_path(d, "new.txt", DELEG_O_WRONLY | DELEG_O_APPEND);
	CHECK(write_fd(d, fd, "!") == 1);
	fd_op(d, DELEG_OP_CLOSE, fd);
	CHECK_STR(host = slurp("share/new.txt"), "hello, delegate!");
	free(host);
	CHECK(open_path(d, "new.txt", DELEG_O_WRONLY | DELEG_O_CREAT | DELEG_O_EXCL) ==
	      -DELEG_EEXIST);
	CHECK(path_op(d, DELEG_OP_UNLINK, "/new.txt") == 0);
	CHECK(outside_intact());
	delegate_free(d);
}

TEST(stat_unlink_mkdir)
{
	struct delegate *d = delegate_with(0);
	struct stat st;
	char *p;

	CHECK(path_op(d, DELEG_OP_STAT, "/sub") == 0);
	CHECK((stat_of().mode & DELEG_S_IFMT) == DELEG_S_IFDIR);
	CHECK(path_op(d, DELEG_OP_STAT, "inside") == 0 && stat_of().size == 6);
	CHECK(path_op(d, DELEG_OP_STAT, "/") == 0);
	CHECK(path_op(d, DELEG_OP_STAT, "/ro") == 0);
	CHECK(path_op(d, DELEG_OP_STAT, "/ro/r.txt") == 0 && stat_of().size == 10);
	CHECK(path_op(d, DELEG_OP_STAT, "nothing") == -DELEG_ENOENT);
	CHECK(path_op(d, DELEG_OP_STAT, "") == -DELEG_ENOENT);

	put("share/gone.txt", "x");
	CHECK(path_op(d, DELEG_OP_UNLINK, "gone.txt") == 0);
	CHECK((p = slurp("share/gone.txt")) == NULL);
	CHECK(path_op(d, DELEG_OP_UNLINK, "gone.txt") == -DELEG_ENOENT);
	CHECK(path_op(d, DELEG_OP_UNLINK, "sub") == -DELEG_EISDIR);
	CHECK(path_op(d, DELEG_OP_UNLINK, "file.txt/") == -DELEG_ENOTDIR);
	CHECK(path_op(d, DELEG_OP_UNLINK, "/") == -DELEG_EISDIR);

	struct deleg_mkdir m = { 0750, 0 };
	CHECK(call(d, DELEG_OP_MKDIR, &m, sizeof m, "sub/newdir/") == 0);
	p = tmp("share/sub/newdir");
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	rmdir(p);
	free(p);
	CHECK(call(d, DELEG_OP_MKDIR, &m, sizeof m, "sub") == -DELEG_EEXIST);
	CHECK(call(d, DELEG_OP_MKDIR, &m, sizeof m, "no/such") == -DELEG_ENOENT);
	CHECK(call(d, DELEG_OP_MKDIR, &m, sizeof m, ".") == -DELEG_EEXIST);
	m.reserved = 1;
	CHECK(call(d, DELEG_OP_MKDIR, &m, sizeof m, "x") == -DELEG_EINVAL);
	CHECK(outside_intact());
	delegate_free(d);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every name READDIR gives for path, sorted, joined by spaces; a directory
   ends with '/', a symlink with '@'. */
static char *
listing(struct delegate *d, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t fd = path_op(d, DELEG_OP_OPENDIR, path), r;
	struct deleg_dirent de;
	char *names[64];
	size_t n = 0;

	if (fd < 0)
		return NULL;
	while ((r = fd_op(d, DELEG_OP_READDIR, fd)) == 1 && n < 64) {
		memcpy(&de, out, sizeof de);
		CHECK(outlen == sizeof de + de.namelen + 1 && !out[sizeof de + de.namelen]);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s%s", (const char *)out + sizeof de,
			    de.type == DELEG_DT_DIR ? "/" : de.type == DELEG_DT_LNK ? "@" : "");
		names[n++] = strbuf_detach(&sb, NULL);
	}
	CHECK(r == 0);
	CHECK(fd_op(d, DELEG_OP_CLOSE, fd) == 0);
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(&sb, "%s%s", i ? " " : "", names[i]);
		free(names[i]);
	}
	return strbuf_detach(&sb, NULL);
}

TEST(readdir)
{
	struct delegate *d = delegate_with(0);
	char *s;
	int64_t fd;

	CHECK_STR(s = listing(d, "/sub"), "inner.txt");
	free(s);
	/* the root lists the other shares; a host entry of that name is hidden */
	dir("share/ro");
	CHECK_STR(s = listing(d, "/"), "chain1@ chain2@ dangle@ dotdot@ etc@ file.txt "
		  "inside@ ro/ sub/");
	free(s);
	CHECK_STR(s = listing(d, "ro"), "out@ r.txt");
	free(s);
	CHECK(listing(d, "file.txt") == NULL);
	CHECK(path_op(d, DELEG_OP_OPENDIR, "file.txt") == -DELEG_ENOTDIR);
	CHECK(path_op(d, DELEG_OP_OPENDIR, "..") == -DELEG_EXDEV);
	fd = open_path(d, "file.txt", DELEG_O_RDONLY);
	CHECK(fd_op(d, DELEG_OP_READDIR, fd) == -DELEG_EBADF);
	fd_op(d, DELEG_OP_CLOSE, fd);
	fd = path_op(d, DELEG_OP_OPENDIR, "sub");
	CHECK(read_fd(d, fd, 10) == -DELEG_EBADF);
	fd_op(d, DELEG_OP_CLOSE, fd);
	delegate_free(d);
	s = tmp("share/ro");
	rmdir(s);
	free(s);
}

TEST(clock_getenv_exit)
{
	struct delegate *d = delegate_with(0);
	struct deleg_clock c = { DELEG_CLOCK_REALTIME, 0 };
	struct deleg_exit x = { 3, 0 };
	struct deleg_timespec t1, t2;
	int status = -1;

	CHECK(call(d, DELEG_OP_CLOCK, &c, sizeof c, NULL) == 0 && outlen == sizeof t1);
	memcpy(&t1, out, sizeof t1);
	CHECK(t1.sec >= time(NULL) - 5 && t1.sec <= time(NULL) && t1.nsec < 1000000000);
	c.clock = DELEG_CLOCK_MONOTONIC;
	call(d, DELEG_OP_CLOCK, &c, sizeof c, NULL);
	memcpy(&t1, out, sizeof t1);
	call(d, DELEG_OP_CLOCK, &c, sizeof c, NULL);
	memcpy(&t2, out, sizeof t2);
	CHECK(t2.sec > t1.sec || (t2.sec == t1.sec && t2.nsec >= t1.nsec));
	c.clock = 2;
	CHECK(call(d, DELEG_OP_CLOCK, &c, sizeof c, NULL) == -DELEG_EINVAL);

	CHECK(path_op(d, DELEG_OP_GETENV, "FOO") == 3 && outlen == 4 && !strcmp((char *)out, "bar"));
	CHECK(path_op(d, DELEG_OP_GETENV, "EMPTY") == 0 && outlen == 1);
	CHECK(path_op(d, DELEG_OP_GETENV, "FO") == -DELEG_ENOENT);
	CHECK(path_op(d, DELEG_OP_GETENV, "HOME") == -DELEG_ENOENT);   /* not passed */

	CHECK(!delegate_exited(d, &status));
	x.status = 256;
	CHECK(call(d, DELEG_OP_EXIT, &x, sizeof x, NULL) == -DELEG_EINVAL);
	CHECK(!delegate_exited(d, &status));
	x.status = 3;
	CHECK(call(d, DELEG_OP_EXIT, &x, sizeof x, NULL) == 0);
	CHECK(delegate_exited(d, &status) && status == 3);
	delegate_free(d);
}

struct escape { const char *path; int64_t err; };

static const struct escape escapes[] = {
	{ "..", -DELEG_EXDEV },
	{ "../outside/secret", -DELEG_EXDEV },
	{ "/../outside/secret", -DELEG_EXDEV },
	{ "sub/../../outside/secret", -DELEG_EXDEV },
	{ "/ro/../outside/secret", -DELEG_EXDEV },      /* no `..` across shares */
	{ "etc/passwd", -DELEG_EXDEV },                 /* a symlink to /etc */
	{ "chain1/secret", -DELEG_EXDEV },              /* a chain of links out */
	{ "dotdot/outside/secret", -DELEG_EXDEV },
	{ "/etc/passwd", -DELEG_EXDEV },                /* is share/etc/passwd */
	{ "/tmp/x", -DELEG_ENOENT },                    /* absolute = from the guest's / */
	{ "file.txt/x", -DELEG_ENOTDIR },               /* a path through a file */
	{ "ro/out", -DELEG_EXDEV },                     /* out of one share into another */
};

TEST(escapes_fail_with_an_errno)
{
	struct delegate *d = delegate_with(0);
	struct deleg_mkdir m = { 0755, 0 };

	for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
		const struct escape *x = &escapes[i];
		int64_t got[4] = {
			open_path(d, x->path, DELEG_O_RDONLY),
			path_op(d, DELEG_OP_STAT, x->path),
			path_op(d, DELEG_OP_OPENDIR, x->path),
			open_path(d, x->path, DELEG_O_RDWR),
		};

		for (int k = 0; k < 4; k++) {
			int64_t want = x->err;

			/* a write into /ro is refused before the path is looked at */
			if (k == 3 && (!strncmp(x->path, "ro/", 3) || !strncmp(x->path, "/ro/", 4)))
				want = -DELEG_EROFS;
			if (got[k] != want)
				harness_fail(__FILE__, __LINE__, "'%s' (call %d): got %lld, expected %lld",
					     x->path, k, (long long)got[k], (long long)want);
		}
	}
	/* writing, creating, unlinking and mkdir through the same ways out */
	CHECK(open_path(d, "dangle", DELEG_O_WRONLY | DELEG_O_CREAT) == -DELEG_EXDEV);
	CHECK(open_path(d, "../outside/created", DELEG_O_WRONLY | DELEG_O_CREAT) == -DELEG_EXDEV);
	CHECK(open_path(d, "chain1/secret", DELEG_O_WRONLY | DELEG_O_TRUNC) == -DELEG_EXDEV);
	CHECK(path_op(d, DELEG_OP_UNLINK, "../outside/secret") == -DELEG_EXDEV);
	CHECK(path_op(d, DELEG_OP_UNLINK, "chain1/secret") == -DELEG_EXDEV);
	CHECK(call(d, DELEG_OP_MKDIR, &m, sizeof m, "../outside/d") == -DELEG_EXDEV);
	CHECK(call(d, DELEG_OP_MKDIR, &m, sizeof m, "dotdot/outside/d") == -DELEG_EXDEV);
	CHECK(call(d, DELEG_OP_MKDIR, &m, sizeof m, "..") == -DELEG_EXDEV);
	CHECK(outside_intact());
	delegate_free(d);
}

TEST(a_symlink_inside_the_share_is_followed)
{
	struct delegate *d = delegate_with(0);
	int64_t fd = open_path(d, "inside", DELEG_O_RDONLY);

	CHECK(fd >= 0);
	CHECK(read_fd(d, fd, 100) == 6 && !memcmp(out, "inner\n", 6));
	delegate_free(d);
}

TEST(long_paths_are_refused)
{
	struct delegate *d = delegate_with(0);
	char *p = malloc(5001);

	memset(p, 'a', 5000);
	p[5000] = '\0';
	CHECK(open_path(d, p, DELEG_O_RDONLY) == -DELEG_ENAMETOOLONG);
	CHECK(path_op(d, DELEG_OP_STAT, p) == -DELEG_ENAMETOOLONG);
	memset(p, 'b', 4095);           /* fits the wire, not the host: still an errno */
	p[4095] = '\0';
	CHECK(open_path(d, p, DELEG_O_RDONLY) == -DELEG_ENAMETOOLONG);
	free(p);
	delegate_free(d);
}

TEST(read_only_shares_refuse_every_change)
{
	struct delegate *d = delegate_with(0);
	struct deleg_mkdir m = { 0755, 0 };
	int64_t fd;
	char *s;

	CHECK(open_path(d, "/ro/r.txt", DELEG_O_WRONLY) == -DELEG_EROFS);
	CHECK(open_path(d, "/ro/r.txt", DELEG_O_RDWR) == -DELEG_EROFS);
	CHECK(open_path(d, "/ro/new", DELEG_O_WRONLY | DELEG_O_CREAT) == -DELEG_EROFS);
	CHECK(open_path(d, "/ro/new", DELEG_O_RDONLY | DELEG_O_CREAT) == -DELEG_EROFS);
	CHECK(open_path(d, "/ro/r.txt", DELEG_O_WRONLY | DELEG_O_TRUNC) == -DELEG_EROFS);
	CHECK(path_op(d, DELEG_OP_UNLINK, "/ro/r.txt") == -DELEG_EROFS);
	CHECK(call(d, DELEG_OP_MKDIR, &m, sizeof m, "/ro/d") == -DELEG_EROFS);
	fd = open_path(d, "/ro/r.txt", DELEG_O_RDONLY | DELEG_O_APPEND);
	CHECK(fd >= 0 && write_fd(d, fd, "x") == -DELEG_EBADF);
	CHECK_STR(s = slurp("ro/r.txt"), "read only\n");
	free(s);
	CHECK_STR(s = listing(d, "ro"), "out@ r.txt");
	free(s);
	delegate_free(d);
}

TEST(handles_run_out)
{
	struct delegate *d = delegate_with(0);
	int64_t fds[DELEG_FD_MAX], dfd;

	for (unsigned i = 0; i < DELEG_FD_MAX; i++)
		CHECK((fds[i] = open_path(d, "file.txt", DELEG_O_RDONLY)) == (int64_t)i);
	CHECK(open_path(d, "file.txt", DELEG_O_RDONLY) == -DELEG_EMFILE);
	CHECK(path_op(d, DELEG_OP_OPENDIR, "sub") == -DELEG_EMFILE);
	/* no slot: nothing is created either */
	CHECK(open_path(d, "made.txt", DELEG_O_WRONLY | DELEG_O_CREAT) == -DELEG_EMFILE);
	CHECK(slurp("share/made.txt") == NULL);
	CHECK(fd_op(d, DELEG_OP_CLOSE, fds[10]) == 0);
	CHECK((dfd = path_op(d, DELEG_OP_OPENDIR, "sub")) == 10);
	CHECK(fd_op(d, DELEG_OP_CLOSE, 64) == -DELEG_EBADF);
	CHECK(fd_op(d, DELEG_OP_CLOSE, -1) == -DELEG_EBADF);
	delegate_free(d);     /* closes every handle still open */
}

TEST(the_write_budget)
{
	struct delegate *d = delegate_with(10);
	int64_t fd = open_path(d, "budget.txt", DELEG_O_WRONLY | DELEG_O_CREAT | DELEG_O_TRUNC);
	char *s;

	CHECK(write_fd(d, fd, "12345678") == 8);
	CHECK(write_fd(d, fd, "abcdefgh") == 2);
	CHECK(write_fd(d, fd, "x") == -DELEG_ENOSPC);
	CHECK(write_fd(d, fd, "") == 0);
	CHECK_STR(s = slurp("share/budget.txt"), "12345678ab");
	free(s);
	CHECK(path_op(d, DELEG_OP_UNLINK, "budget.txt") == 0);     /* no write */
	delegate_free(d);
}

TEST(only_files_and_directories_are_opened)
{
	struct delegate *d = delegate_with(0);
	char *fifo = tmp("share/fifo");

	CHECK(mkfifo(fifo, 0644) == 0);
	/* must not block waiting for a writer, and must not be opened */
	CHECK(open_path(d, "fifo", DELEG_O_RDONLY) == -DELEG_EACCES);
	CHECK(path_op(d, DELEG_OP_STAT, "fifo") == 0 && (stat_of().mode & DELEG_S_IFMT) == 0);
	unlink(fifo);
	free(fifo);
	delegate_free(d);
}

/* A raw request of reqlen bytes: the result and the seq answered. */
static int64_t
raw(struct delegate *d, const void *req, size_t reqlen, uint32_t *seq)
{
	static unsigned char resp[DELEG_MSG_MAX];
	struct deleg_resp r;
	size_t n = delegate_serve(d, req, reqlen, resp, sizeof resp);

	memcpy(&r, resp, sizeof r);
	CHECK(n == sizeof r + r.len && r.magic == DELEG_RESP_MAGIC);
	*seq = r.seq;
	return r.result;
}

TEST(malformed_requests)
{
	struct delegate *d = delegate_with(0);
	unsigned char buf[256] = { 0 };
	struct deleg_req h = { DELEG_REQ_MAGIC, DELEG_OP_STAT, 5, 9 };
	uint32_t seq;
	unsigned char small[sizeof(struct deleg_resp) - 1];

	/* shorter than a header */
	CHECK(raw(d, &h, 10, &seq) == -DELEG_EINVAL && seq == 0);
	CHECK(raw(d, &h, 0, &seq) == -DELEG_EINVAL);
	/* a length that claims more than was received */
	memcpy(buf, &h, sizeof h);
	memcpy(buf + sizeof h, "file.txt", 9);
	CHECK(raw(d, buf, sizeof h + 9, &seq) == 0 && seq == 5);
	CHECK(raw(d, buf, sizeof h + 8, &seq) == -DELEG_EINVAL && seq == 5);
	h.len = 0xffffffff;
	memcpy(buf, &h, sizeof h);
	CHECK(raw(d, buf, sizeof buf, &seq) == -DELEG_EINVAL);
	/* a path that is not NUL-terminated, or has a NUL inside */
	h.len = 8;
	memcpy(buf, &h, sizeof h);
	CHECK(raw(d, buf, sizeof h + 8, &seq) == -DELEG_EINVAL);
	memcpy(buf + sizeof h, "a\0b.txt", 8);
	CHECK(raw(d, buf, sizeof h + 8, &seq) == -DELEG_EINVAL);
	/* unknown op, wrong magic */
	h = (struct deleg_req){ DELEG_REQ_MAGIC, 99, 6, 0 };
	CHECK(raw(d, &h, sizeof h, &seq) == -DELEG_ENOSYS && seq == 6);
	h = (struct deleg_req){ DELEG_RESP_MAGIC, DELEG_OP_HELLO, 7, 0 };
	CHECK(raw(d, &h, sizeof h, &seq) == -DELEG_EINVAL && seq == 7);
	/* fixed arguments too short, too long, or with reserved bits */
	struct deleg_fd a = { 0, 0 };
	CHECK(call(d, DELEG_OP_READ, &a, 4, NULL) == -DELEG_EINVAL);
	CHECK(call(d, DELEG_OP_CLOSE, &a, sizeof a, "x") == -DELEG_EINVAL);
	a.reserved = 1;
	CHECK(call(d, DELEG_OP_FSTAT, &a, sizeof a, NULL) == -DELEG_EINVAL);
	CHECK(call(d, DELEG_OP_HELLO, NULL, 0, "x") == -DELEG_EINVAL);
	/* flags the wire does not define */
	CHECK(open_path(d, "file.txt", 0x80000) == -DELEG_EINVAL);
	CHECK(open_path(d, "file.txt", DELEG_O_ACCMODE) == -DELEG_EINVAL);
	CHECK(open_path(d, "file.txt", DELEG_O_RDONLY | DELEG_O_TRUNC) == -DELEG_EINVAL);
	/* no room for a response header: nothing written */
	CHECK(delegate_serve(d, &h, sizeof h, small, sizeof small) == 0);
	CHECK(outside_intact());
	delegate_free(d);
}

TEST(reads_are_bounded_by_the_response_buffer)
{
	struct delegate *d = delegate_with(0);
	unsigned char req[sizeof(struct deleg_req) + sizeof(struct deleg_rw)];
	unsigned char resp[sizeof(struct deleg_resp) + 4];
	int64_t fd = open_path(d, "file.txt", DELEG_O_RDONLY);
	struct deleg_req h = { DELEG_REQ_MAGIC, DELEG_OP_READ, 1, sizeof(struct deleg_rw) };
	struct deleg_rw a = { (int32_t)fd, 0xffffffff };
	struct deleg_resp r;

	memcpy(req, &h, sizeof h);
	memcpy(req + sizeof h, &a, sizeof a);
	CHECK(delegate_serve(d, req, sizeof req, resp, sizeof resp) == sizeof resp);
	memcpy(&r, resp, sizeof r);
	CHECK(r.result == 4 && r.len == 4 && !memcmp(resp + sizeof r, "hell", 4));
	delegate_free(d);
}

TEST(bad_configurations)
{
	char *share = tmp("share"), *file = tmp("share/file.txt"), *missing = tmp("missing");
	char *sub = tmp("share/sub"), *other = tmp("other");
	struct deleg_share missing_share[] = { { missing, false } };
	struct deleg_share file_share[] = { { file, false } };
	struct deleg_share nested[] = { { share, false }, { sub, true } };
	struct deleg_share clash[] = { { share, true }, { sub, true }, { other, true } };
	char *bad_env[] = { "=x" };
	struct delegate_config cfg = { missing_share, 1, NULL, 0, 0, 0 };
	struct dv_err e = { "" };

	make_tree();
	dir("other");
	dir("other/sub");
	CHECK(!delegate_new(&cfg, &e));
	CHECK_CONTAINS(e.msg, "--share '");
	CHECK_CONTAINS(e.msg, "missing': No such file or directory");
	cfg.shares = file_share;
	CHECK(!delegate_new(&cfg, &e));
	CHECK_CONTAINS(e.msg, "file.txt': not a directory");
	cfg.shares = nested;
	cfg.nshares = 2;
	CHECK(!delegate_new(&cfg, &e));
	CHECK_CONTAINS(e.msg, "is read-only but within the writable --share");
	free(other);
	other = tmp("other/sub");
	clash[2].dir = other;
	cfg.shares = clash;
	cfg.nshares = 3;
	CHECK(!delegate_new(&cfg, &e));
	CHECK_CONTAINS(e.msg, "would both be /sub in the kernel");
	cfg.nshares = 0;
	cfg.env = bad_env;
	cfg.nenv = 1;
	CHECK(!delegate_new(&cfg, &e));
	CHECK_CONTAINS(e.msg, "--env '=x': expected NAME or NAME=VALUE");
	cfg.nenv = 0;
	cfg.fd_max = DELEG_FD_MAX + 1;
	CHECK(!delegate_new(&cfg, &e));
	free(share);
	free(file);
	free(missing);
	free(sub);
	free(other);
}

TEST(nothing_shared_means_nothing_found)
{
	struct delegate_config cfg = { 0 };
	struct dv_err e = { "" };
	struct delegate *d = delegate_new(&cfg, &e);

	CHECK(d);
	CHECK(open_path(d, "file.txt", DELEG_O_RDONLY) == -DELEG_ENOENT);
	CHECK(path_op(d, DELEG_OP_STAT, "/") == -DELEG_ENOENT);
	delegate_free(d);
}

TEST(configuration_from_the_command_line)
{
	struct delegate_config cfg = { 0 };
	struct dv_err e = { "" };

	CHECK(delegate_config_add_share(&cfg, "data:ro", &e) == 0);
	CHECK(delegate_config_add_share(&cfg, "out", &e) == 0);
	CHECK(delegate_config_add_share(&cfg, "a:b:rw", &e) == 0);
	CHECK(cfg.nshares == 3);
	CHECK_STR(cfg.shares[0].dir, "data");
	CHECK(cfg.shares[0].ro && !cfg.shares[1].ro && !cfg.shares[2].ro);
	CHECK_STR(cfg.shares[1].dir, "out");
	CHECK_STR(cfg.shares[2].dir, "a:b");
	CHECK(delegate_config_add_share(&cfg, ":ro", &e) < 0);
	CHECK_STR(e.msg, "--share ':ro': expected DIR, DIR:ro or DIR:rw");

	setenv("DIVER_DELEGATE_TEST", "from diver", 1);
	unsetenv("DIVER_DELEGATE_UNSET");
	CHECK(delegate_config_add_env(&cfg, "A=1", &e) == 0);
	CHECK(delegate_config_add_env(&cfg, "DIVER_DELEGATE_TEST", &e) == 0);
	CHECK(delegate_config_add_env(&cfg, "A=2=3", &e) == 0);
	CHECK(cfg.nenv == 2);
	CHECK_STR(cfg.env[0], "A=2=3");
	CHECK_STR(cfg.env[1], "DIVER_DELEGATE_TEST=from diver");
	CHECK(delegate_config_add_env(&cfg, "DIVER_DELEGATE_UNSET", &e) < 0);
	CHECK_STR(e.msg, "--env 'DIVER_DELEGATE_UNSET': not set in diver's environment; "
		  "give its value with --env DIVER_DELEGATE_UNSET=VALUE");
	CHECK(delegate_config_add_env(&cfg, "=x", &e) < 0);
	delegate_config_release(&cfg);
	CHECK(cfg.nshares == 0 && cfg.nenv == 0);
}

static void
fs_rm_rf_quiet(const char *path)
{
	char *p = tmp(path);

	fs_rm_rf(p, NULL);
	free(p);
}

/* Random and mangled requests: always one well-formed answer, no escape. */
TEST(random_requests_get_well_formed_answers)
{
	static const char *const paths[] = {
		"x", "sub/x", "../outside/secret", "/ro/r.txt", "etc/passwd", "chain1/secret",
		"dangle/x", "dotdot/outside", "fz", "fz/y", "/", "ro", ".", "..", "",
	};
	static unsigned char req[DELEG_MSG_MAX], resp[DELEG_MSG_MAX];
	struct delegate *d = delegate_with(1 << 20);
	unsigned seed = 12345;

	for (int i = 0; i < 20000; i++) {
		struct deleg_req h = { DELEG_REQ_MAGIC, (uint32_t)(rand_r(&seed) % 17),
				       (uint32_t)i, 0 };
		size_t len = (size_t)rand_r(&seed) % 40, reqlen, n;
		const char *p = paths[rand_r(&seed) % (sizeof paths / sizeof paths[0])];
		struct deleg_resp r;

		for (size_t k = 0; k < len; k++) {      /* mostly small fds, flags, counts */
			int b = rand_r(&seed);

			req[sizeof h + k] = (unsigned char)(b % 8 == 0 ? b >> 8 : b % 3 == 0 ? b % 3 : 0);
		}
		if (rand_r(&seed) % 2)
			len = (size_t)(rand_r(&seed) % 3) * 8;
		if (rand_r(&seed) % 2) {                /* arguments, then a path */
			len = (len / 8) * 8;
			memcpy(req + sizeof h + len, p, strlen(p) + 1);
			len += strlen(p) + 1;
		}
		h.len = (uint32_t)len;
		reqlen = sizeof h + len;
		if (rand_r(&seed) % 10 == 0)            /* lie about the length */
			h.len += (uint32_t)(rand_r(&seed) % 3) - 1;
		if (rand_r(&seed) % 50 == 0)
			reqlen = (size_t)rand_r(&seed) % sizeof h;
		memcpy(req, &h, sizeof h);
		n = delegate_serve(d, req, reqlen, resp, sizeof resp);
		memcpy(&r, resp, sizeof r);
		if (n != sizeof r + r.len || r.magic != DELEG_RESP_MAGIC ||
		    (reqlen >= sizeof h && r.seq != (uint32_t)i) || r.result < -4095 ||
		    (r.result < 0 && r.len)) {
			harness_fail(__FILE__, __LINE__, "request %d (op %u): bad answer", i, h.op);
			break;
		}
	}
	CHECK(outside_intact());
	delegate_free(d);
	fs_rm_rf_quiet("share/fz");
	fs_rm_rf_quiet("share/x");
	fs_rm_rf_quiet("share/sub/x");
}

/*
 * Last, as it cannot be undone: openat2 made to fail with ENOSYS by a
 * seccomp filter (as on kernels before 5.6, or in containers whose filter
 * does not know it), and every test on files again, now through the
 * O_NOFOLLOW walk.
 */
TEST(again_where_openat2_is_missing)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof filter / sizeof filter[0], filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		printf("skip again_where_openat2_is_missing: seccomp: %s\n", strerror(errno));
		return;
	}
	CHECK(syscall(SYS_openat2, AT_FDCWD, ".", NULL, 0) < 0 && errno == ENOSYS);
	test_open_write_read_lseek_fstat_close();
	test_stat_unlink_mkdir();
	test_readdir();
	test_escapes_fail_with_an_errno();
	test_a_symlink_inside_the_share_is_followed();
	test_long_paths_are_refused();
	test_read_only_shares_refuse_every_change();
	test_handles_run_out();
	test_the_write_budget();
	test_only_files_and_directories_are_opened();
}
