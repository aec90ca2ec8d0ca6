#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "harness.h"
#include "strbuf.h"
#include "tarball.h"

static char *
write_tar(const char *name, int mtime, const char *const *paths, size_t n)
{
	char *path = fs_join(harness_tmpdir(), name);
	struct dv_err e = { "" };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct tar_writer *w = tar_writer_open(fd, 3, mtime, &e);

	for (size_t i = 0; w && i < n; i++)
		if (tar_writer_add_data(w, paths[i], paths[i], strlen(paths[i]), i == 0, &e) < 0)
			harness_fail(__FILE__, __LINE__, "%s", e.msg);
	if (!w || tar_writer_close(w, &e) < 0)
		harness_fail(__FILE__, __LINE__, "%s", e.msg);
	tar_writer_free(w);
	close(fd);
	return path;
}

TEST(writes_deterministically_and_reads_back)
{
	const char *paths[] = { "a/b.txt", "c", "d/e/f" };
	char *one = write_tar("one.tar.zst", 0, paths, 3);
	char *two = write_tar("two.tar.zst", 0, paths, 3);
	char *out = fs_join(harness_tmpdir(), "out"), *f;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct dv_err e = { "" };

	fs_read_file(one, 1 << 20, &a, &e);
	fs_read_file(two, 1 << 20, &b, &e);
	CHECK(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
	fs_mkdir_p(out, 0755, &e);
	CHECK(tar_extract(one, out, "t", &tar_limits_default, &e) == 0);
	f = fs_join(out, "d/e/f");
	strbuf_reset(&a);
	CHECK(fs_read_file(f, 100, &a, &e) == 0);
	CHECK_STR(a.buf, "d/e/f");
	free(f);
	f = fs_join(out, "a/b.txt");
	CHECK(access(f, X_OK) == 0);        /* the first entry was executable */
	free(f);
	strbuf_release(&a);
	strbuf_release(&b);
	free(one);
	free(two);
	free(out);
}

TEST(refuses_hostile_paths_and_duplicates)
{
	const char *dotdot[] = { "../escape" };
	const char *abs[] = { "/tmp/abs" };
	const char *dup[] = { "x", "x" };
	char *out = fs_join(harness_tmpdir(), "hostile"), *t;
	struct dv_err e = { "" };

	t = write_tar("dotdot.tar.zst", 0, dotdot, 1);
	fs_mkdir_p(out, 0755, &e);
	CHECK(tar_extract(t, out, "package 'x'", &tar_limits_default, &e) < 0);
	CHECK_CONTAINS(e.msg, "package 'x': member '../escape' contains '..'");
	free(t);
	t = write_tar("abs.tar.zst", 0, abs, 1);
	CHECK(tar_extract(t, out, "p", &tar_limits_default, &e) < 0);
	CHECK_CONTAINS(e.msg, "absolute");
	free(t);
	t = write_tar("dup.tar.zst", 0, dup, 2);
	CHECK(tar_extract(t, out, "p", &tar_limits_default, &e) < 0);
	CHECK_CONTAINS(e.msg, "appears twice");
	free(t);
	free(out);
}

TEST(refuses_links_made_by_bsdtar)
{
	char *dir = fs_join(harness_tmpdir(), "links"), *cmd, *t, *out;
	struct dv_err e = { "" };

	t = fs_join(harness_tmpdir(), "links.tar.zst");
	out = fs_join(harness_tmpdir(), "links-out");
	fs_mkdir_p(out, 0755, &e);
	cmd = xasprintf("mkdir -p %s && cd %s && ln -sf /etc/passwd l && "
			"bsdtar --zstd -cf %s l 2>/dev/null", dir, dir, t);
	if (system(cmd) == 0) {
		CHECK(tar_extract(t, out, "p", &tar_limits_default, &e) < 0);
		CHECK_CONTAINS(e.msg, "symbolic link");
	}
	free(cmd);
	free(dir);
	free(t);
	free(out);
}

TEST(limits_entry_size_and_ratio)
{
	char *path = fs_join(harness_tmpdir(), "bomb.tar.zst"), *out;
	struct tar_limits lim = tar_limits_default;
	struct dv_err e = { "" };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct tar_writer *w = tar_writer_open(fd, 19, 0, &e);
	char *zeros = xcalloc(1, 8 << 20);

	tar_writer_add_data(w, "zeros", zeros, 8 << 20, false, &e);
	tar_writer_close(w, &e);
	tar_writer_free(w);
	close(fd);
	out = fs_join(harness_tmpdir(), "bomb-out");
	fs_mkdir_p(out, 0755, &e);
	lim.max_ratio = 100;
	CHECK(tar_extract(path, out, "b", &lim, &e) < 0);
	CHECK_CONTAINS(e.msg, "decompression bomb");
	fs_rm_rf(out, &e);
	fs_mkdir_p(out, 0755, &e);
	lim = tar_limits_default;
	lim.max_entry = 1 << 20;
	CHECK(tar_extract(path, out, "b", &lim, &e) < 0);
	CHECK_CONTAINS(e.msg, "larger than the limit");
	free(zeros);
	free(path);
	free(out);
}

TEST(truncated_archive_is_an_error)
{
	const char *paths[] = { "a", "b" };
	char *t = write_tar("trunc.tar.zst", 0, paths, 2), *out;
	struct strbuf sb = STRBUF_INIT;
	struct dv_err e = { "" };

	fs_read_file(t, 1 << 20, &sb, &e);
	fs_write_atomic(t, sb.buf, sb.len / 2, 0644, &e);
	out = fs_join(harness_tmpdir(), "trunc-out");
	fs_mkdir_p(out, 0755, &e);
	CHECK(tar_extract(t, out, "t", &tar_limits_default, &e) < 0);
	CHECK_CONTAINS(e.msg, "t: ");
	strbuf_release(&sb);
	free(t);
	free(out);
}

/* A tree for the initramfs tests: files, an executable, a link, a subdir. */
static char *
make_root(const char *name, mode_t file_mode)
{
	char *root = fs_join(harness_tmpdir(), name), *p;
	struct dv_err e = { "" };

	p = xasprintf("%s/bin", root);
	fs_mkdir_p(p, 0700, &e);
	free(p);
	p = xasprintf("%s/init", root);
	fs_write_atomic(p, "#!/bin/sh\n", 10, 0755, &e);
	free(p);
	p = xasprintf("%s/bin/data", root);
	fs_write_atomic(p, "data\n", 5, file_mode, &e);
	free(p);
	p = xasprintf("%s/bin/sh", root);
	CHECK(symlink("busybox", p) == 0);
	free(p);
	return root;
}

static void
read_whole(const char *path, struct strbuf *sb)
{
	struct dv_err e = { "" };

	strbuf_reset(sb);
	CHECK(fs_read_file(path, 1 << 20, sb, &e) == 0);
}

TEST(cpio_is_deterministic_newc_with_links)
{
	char *r1 = make_root("root1", 0600), *r2 = make_root("root2", 0644);
	char *c1 = fs_join(harness_tmpdir(), "1.cpio"), *c2 = fs_join(harness_tmpdir(), "2.cpio");
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct dv_err e = { "" };
	int fd;

	fd = open(c1, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(cpio_write_tree(fd, r1, 0, &e) == 0);
	close(fd);
	fd = open(c2, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(cpio_write_tree(fd, r2, 0, &e) == 0);
	close(fd);
	read_whole(c1, &a);
	read_whole(c2, &b);
	/* umask-dependent modes do not leak in: the same bytes */
	CHECK(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
	CHECK(a.len > 6 && memcmp(a.buf, "070701", 6) == 0);
	/* depth first, sorted: bin, bin/data, bin/sh (a link), init */
	CHECK(memmem(a.buf, a.len, "bin/data", 8) < memmem(a.buf, a.len, "bin/sh", 6));
	CHECK(memmem(a.buf, a.len, "bin/sh", 6) < memmem(a.buf, a.len, "init", 4));
	CHECK(memmem(a.buf, a.len, "busybox", 7) != NULL);
	CHECK(memmem(a.buf, a.len, "TRAILER!!!", 10) != NULL);
	strbuf_release(&a);
	strbuf_release(&b);
	free(r1);
	free(r2);
	free(c1);
	free(c2);
}

TEST(cpio_refuses_fifos)
{
	char *root = make_root("root3", 0644), *p = xasprintf("%s/fifo", root);
	struct dv_err e = { "" };
	int fd = open("/dev/null", O_WRONLY);

	CHECK(mkfifo(p, 0644) == 0);
	CHECK(cpio_write_tree(fd, root, 0, &e) < 0);
	CHECK_CONTAINS(e.msg, "fifo' is a device, FIFO or socket");
	close(fd);
	free(p);
	free(root);
}
