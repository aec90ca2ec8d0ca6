/* lib/beneath: both ways (openat2 and the O_NOFOLLOW walk) give the same answers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "fs.h"
#include "harness.h"

typedef int (*open_fn)(int, const char *, int, mode_t);

static const open_fn ways[] = { beneath_open, beneath_open_walk };
static const char *const way_names[] = { "openat2", "walk" };

static void
put(const char *dir, const char *name, const char *text)
{
	char *p = fs_join(dir, name);
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
	free(p);
}

static void
link_to(const char *dir, const char *name, const char *target)
{
	char *p = fs_join(dir, name);

	if (symlink(target, p) < 0)
		harness_fail(__FILE__, __LINE__, "symlink %s: %s", p, strerror(errno));
	free(p);
}

/* tmp/top/{a.txt, sub/b.txt, links...} and tmp/outside/secret */
static int
tree(void)
{
	static int fd = -1;
	char *top, *sub, *out;

	if (fd >= 0)
		return fd;
	top = fs_join(harness_tmpdir(), "top");
	sub = fs_join(top, "sub");
	out = fs_join(harness_tmpdir(), "outside");
	mkdir(top, 0755);
	mkdir(sub, 0755);
	mkdir(out, 0755);
	put(top, "a.txt", "A");
	put(sub, "b.txt", "B");
	put(out, "secret", "S");
	link_to(top, "abs", "/etc");
	link_to(top, "up", "../outside/secret");
	link_to(top, "chain1", "chain2");
	link_to(top, "chain2", "sub/../../outside");
	link_to(top, "inside", "sub/b.txt");
	link_to(sub, "back", "../a.txt");
	link_to(top, "loop", "loop");
	link_to(top, "dangling-out", "../outside/new");
	fd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(top);
	free(sub);
	free(out);
	return fd;
}

/* What opening path (read-only) gives: the file's first byte, or -errno. */
static int
first_byte(open_fn fn, int dirfd, const char *path, int flags)
{
	char c;
	int fd = fn(dirfd, path, flags, 0644);

	if (fd < 0)
		return fd;
	if (read(fd, &c, 1) != 1)
		c = '?';
	close(fd);
	return c;
}

struct expect { const char *path; int result; };

static const struct expect cases[] = {
	{ "a.txt", 'A' },
	{ "./a.txt", 'A' },
	{ "sub/b.txt", 'B' },
	{ "sub//b.txt", 'B' },
	{ "sub/../a.txt", 'A' },
	{ "inside", 'B' },
	{ "sub/back", 'A' },
	{ "..", -EXDEV },
	{ "../outside/secret", -EXDEV },
	{ "sub/../../outside/secret", -EXDEV },
	{ "/etc/passwd", -EXDEV },
	{ "abs/passwd", -EXDEV },
	{ "up", -EXDEV },
	{ "chain1/secret", -EXDEV },
	{ "a.txt/x", -ENOTDIR },
	{ "missing", -ENOENT },
	{ "sub/missing/x", -ENOENT },
	{ "loop", -ELOOP },
	{ "", -ENOENT },
};

TEST(both_ways_agree_on_escapes_and_links)
{
	int dirfd = tree();

	for (size_t w = 0; w < 2; w++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			int got = first_byte(ways[w], dirfd, cases[i].path, O_RDONLY);

			if (got != cases[i].result)
				harness_fail(__FILE__, __LINE__, "%s '%s': got %d, expected %d",
					     way_names[w], cases[i].path, got, cases[i].result);
		}
}

TEST(creating_through_a_link_out_fails_and_creates_nothing)
{
	int dirfd = tree();
	char *out = fs_join(harness_tmpdir(), "outside/new");

	for (size_t w = 0; w < 2; w++) {
		CHECK(ways[w](dirfd, "dangling-out", O_WRONLY | O_CREAT, 0644) == -EXDEV);
		CHECK(ways[w](dirfd, "../outside/new", O_WRONLY | O_CREAT, 0644) == -EXDEV);
		CHECK(!fs_exists(out));
	}
	free(out);
}

TEST(creating_inside_and_directories)
{
	int dirfd = tree();
	char *made = fs_join(harness_tmpdir(), "top/sub/made");
	struct stat st;

	for (size_t w = 0; w < 2; w++) {
		int fd = ways[w](dirfd, "sub/made", O_WRONLY | O_CREAT | O_EXCL, 0600);

		CHECK(fd >= 0);
		close(fd);
		CHECK(stat(made, &st) == 0 && (st.st_mode & 0777) == 0600);
		unlink(made);
		fd = ways[w](dirfd, "sub/", O_RDONLY | O_DIRECTORY, 0);
		CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
		close(fd);
		CHECK(ways[w](dirfd, "a.txt/", O_RDONLY, 0) == -ENOTDIR);
		fd = ways[w](dirfd, ".", O_PATH, 0);
		CHECK(fd >= 0);
		close(fd);
	}
	free(made);
}

TEST(no_follow_on_the_last_component)
{
	int dirfd = tree();

	for (size_t w = 0; w < 2; w++)
		CHECK(ways[w](dirfd, "inside", O_RDONLY | O_NOFOLLOW, 0) == -ELOOP);
}

TEST(magic_links_are_refused)
{
	int proc = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (proc < 0) {
		printf("skip magic links: no /proc\n");
		return;
	}
	for (size_t w = 0; w < 2; w++) {
		int got = ways[w](proc, "root", O_RDONLY | O_DIRECTORY, 0);

		if (got >= 0)
			close(got);
		if (got != -ELOOP && got != -EXDEV)
			harness_fail(__FILE__, __LINE__, "%s /proc/self/root: got %d",
				     way_names[w], got);
	}
	close(proc);
}

TEST(long_paths)
{
	int dirfd = tree();
	char *p = malloc(5001);

	memset(p, 'x', 5000);
	p[5000] = '\0';
	for (size_t w = 0; w < 2; w++)
		CHECK(ways[w](dirfd, p, O_RDONLY, 0) == -ENAMETOOLONG);
	memset(p, 'y', 300);            /* one component over NAME_MAX */
	p[300] = '\0';
	for (size_t w = 0; w < 2; w++)
		CHECK(ways[w](dirfd, p, O_RDONLY, 0) == -ENAMETOOLONG);
	free(p);
}
