#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "harness.h"
#include "strbuf.h"

TEST(check_relative_paths)
{
	struct dv_err e = { "" };

	CHECK(fs_check_relative("a/b/c.txt", "m", &e) == 0);
	CHECK(fs_check_relative("pkg/x/1.0.0/default.tar.zst", "m", &e) == 0);
	CHECK(fs_check_relative("..hidden", "m", &e) == 0);
	CHECK(fs_check_relative("/etc/passwd", "m", &e) < 0);
	CHECK_CONTAINS(e.msg, "absolute");
	CHECK(fs_check_relative("a/../b", "m", &e) < 0);
	CHECK_CONTAINS(e.msg, "'..'");
	CHECK(fs_check_relative("..", "m", &e) < 0);
	CHECK(fs_check_relative("a//b", "m", &e) < 0);
	CHECK(fs_check_relative("./a", "m", &e) < 0);
	CHECK(fs_check_relative("a/", "m", &e) < 0);
	CHECK(fs_check_relative("", "m", &e) < 0);
	CHECK(fs_check_relative("a\nb", "m", &e) < 0);
	CHECK_CONTAINS(e.msg, "control character");
}

TEST(atomic_write_and_read)
{
	char *p = fs_join(harness_tmpdir(), "atomic");
	struct strbuf sb = STRBUF_INIT;
	struct dv_err e = { "" };
	struct stat st;

	CHECK(fs_write_atomic(p, "one", 3, 0600, &e) == 0);
	CHECK(fs_write_atomic(p, "two!", 4, 0644, &e) == 0);
	CHECK(fs_read_file(p, 100, &sb, &e) == 0);
	CHECK_STR(sb.buf, "two!");
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644);
	strbuf_reset(&sb);
	CHECK(fs_read_file(p, 3, &sb, &e) < 0);
	CHECK_CONTAINS(e.msg, "larger than 3 bytes");
	CHECK(fs_write_atomic("/nonexistent-dir/x", "a", 1, 0644, &e) < 0);
	CHECK_CONTAINS(e.msg, "/nonexistent-dir/x");
	strbuf_release(&sb);
	free(p);
}

TEST(replace_dir_swaps_whole_trees)
{
	char *dest = fs_join(harness_tmpdir(), "tree"), *staging, *f;
	struct strbuf sb = STRBUF_INIT;
	struct dv_err e = { "" };

	CHECK(fs_staging_dir(dest, &staging, &e) == 0);
	f = fs_join(staging, "a");
	fs_write_atomic(f, "old", 3, 0644, &e);
	free(f);
	CHECK(fs_replace_dir(staging, dest, &e) == 0);
	free(staging);
	CHECK(fs_staging_dir(dest, &staging, &e) == 0);
	f = fs_join(staging, "b");
	fs_write_atomic(f, "new", 3, 0644, &e);
	free(f);
	CHECK(fs_replace_dir(staging, dest, &e) == 0);
	CHECK(!fs_exists(staging));
	f = fs_join(dest, "a");
	CHECK(!fs_exists(f));
	free(f);
	f = fs_join(dest, "b");
	CHECK(fs_read_file(f, 10, &sb, &e) == 0);
	CHECK_STR(sb.buf, "new");
	free(f);
	free(staging);
	free(dest);
	strbuf_release(&sb);
}

TEST(mkdir_copy_list_remove)
{
	char *root = fs_join(harness_tmpdir(), "copy"), *deep = fs_join(root, "src/x/y");
	char *src = fs_join(root, "src"), *dst = fs_join(root, "dst"), *f, **names;
	struct dv_err e = { "" };
	size_t n;

	CHECK(fs_mkdir_p(deep, 0755, &e) == 0);
	CHECK(fs_mkdir_p(deep, 0755, &e) == 0);
	f = fs_join(deep, "file");
	fs_write_atomic(f, "data", 4, 0755, &e);
	free(f);
	f = fs_join(src, "b");
	fs_write_atomic(f, "b", 1, 0644, &e);
	free(f);
	CHECK(fs_copy_tree(src, dst, &e) == 0);
	f = fs_join(dst, "x/y/file");
	CHECK(fs_is_file(f) && access(f, X_OK) == 0);
	free(f);
	CHECK(fs_list_dir(dst, &names, &n, &e) == 0);
	CHECK(n == 2 && !strcmp(names[0], "b") && !strcmp(names[1], "x"));
	fs_names_free(names);
	f = fs_join(src, "link");
	CHECK(symlink("/etc/passwd", f) == 0);
	free(f);
	CHECK(fs_copy_tree(src, dst, &e) < 0);
	CHECK_CONTAINS(e.msg, "not a regular file");
	CHECK(fs_rm_rf(root, &e) == 0);
	CHECK(!fs_exists(root));
	CHECK(fs_rm_rf(root, &e) == 0);
	free(root);
	free(deep);
	free(src);
	free(dst);
}

TEST(create_beneath_is_exclusive)
{
	char *root = fs_join(harness_tmpdir(), "beneath");
	struct dv_err e = { "" };
	int fd;

	fs_mkdir_p(root, 0755, &e);
	fd = fs_create_beneath(root, "a/b/c", false, &e);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(fs_create_beneath(root, "a/b/c", false, &e) < 0);
	CHECK_CONTAINS(e.msg, "appears twice");
	free(root);
}
