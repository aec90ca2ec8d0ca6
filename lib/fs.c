#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
fs_read_file(const char *path, size_t max, struct strbuf *out, struct dv_err *e)
{
	char buf[65536];
	struct stat st;
	size_t total = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dv_errno(e, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dv_errf(e, "'%s' is not a regular file", path);
	}
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		total += (size_t)n;
		if (total > max) {
			close(fd);
			return dv_errf(e, "'%s' is larger than %zu bytes", path, max);
		}
		strbuf_add(out, buf, (size_t)n);
	}
	if (n < 0) {
		dv_errno(e, "cannot read '%s'", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			poll(&pfd, 1, -1);
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fs_temp_open(const char *path, char **tmp, struct dv_err *e)
{
	int fd;

	*tmp = xasprintf("%s.tmp-XXXXXX", path);
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		dv_errno(e, "cannot create a temporary file beside '%s'", path);
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

int
fs_temp_commit(int fd, char *tmp, const char *path, mode_t mode,
	       struct dv_err *e)
{
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		dv_errno(e, "cannot write '%s'", path);
		fs_temp_abort(fd, tmp);
		return -1;
	}
	if (close(fd) < 0) {
		dv_errno(e, "cannot write '%s'", path);
		fs_temp_abort(-1, tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		dv_errno(e, "cannot rename into '%s'", path);
		fs_temp_abort(-1, tmp);
		return -1;
	}
	fs_sync_parent(path);
	free(tmp);
	return 0;
}

void
fs_temp_abort(int fd, char *tmp)
{
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
}

int
fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		struct dv_err *e)
{
	char *tmp;
	int fd = fs_temp_open(path, &tmp, e);

	if (fd < 0)
		return -1;
	if (fs_write_all(fd, data, len) < 0) {
		dv_errno(e, "cannot write '%s'", path);
		fs_temp_abort(fd, tmp);
		return -1;
	}
	return fs_temp_commit(fd, tmp, path, mode, e);
}

int
fs_mkdir_p(const char *path, mode_t mode, struct dv_err *e)
{
	char *p = xstrdup(path);
	char *s = p;

	while (*s == '/')
		s++;
	for (;; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			dv_errno(e, "cannot create directory '%s'", p);
			free(p);
			return -1;
		}
		if (c == '\0')
			break;
		*s = '/';
	}
	free(p);
	if (!fs_is_dir(path))
		return dv_errf(e, "'%s' exists and is not a directory", path);
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int
fs_rm_rf(const char *path, struct dv_err *e)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : dv_errno(e, "cannot remove '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0)
			return dv_errno(e, "cannot remove '%s'", path);
		return 0;
	}
	/* Directories we create are owner-writable; make sure before walking. */
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
		return dv_errno(e, "cannot remove '%s'", path);
	return 0;
}

int
fs_staging_dir(const char *dest, char **out, struct dv_err *e)
{
	char *tmp = xasprintf("%s.tmp-XXXXXX", dest);

	if (!mkdtemp(tmp)) {
		dv_errno(e, "cannot create a staging directory beside '%s'", dest);
		free(tmp);
		return -1;
	}
	/* mkdtemp makes it 0700; what we publish must be readable by servers. */
	chmod(tmp, 0755);
	*out = tmp;
	return 0;
}

int
fs_replace_dir(const char *staging, const char *dest, struct dv_err *e)
{
	if (!fs_exists(dest)) {
		if (rename(staging, dest) < 0)
			return dv_errno(e, "cannot move '%s' into place", dest);
		fs_sync_parent(dest);
		return 0;
	}
	if (renameat2(AT_FDCWD, staging, AT_FDCWD, dest, RENAME_EXCHANGE) < 0)
		return dv_errno(e, "cannot swap in the new '%s'", dest);
	fs_sync_parent(dest);
	return fs_rm_rf(staging, e);
}

int
fs_copy_file(const char *src, const char *dst, struct dv_err *e)
{
	char buf[65536];
	struct stat st;
	int in, out = -1;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return dv_errno(e, "cannot open '%s'", src);
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return dv_errf(e, "'%s' is not a regular file", src);
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		   st.st_mode & 0777);
	if (out < 0) {
		dv_errno(e, "cannot create '%s'", dst);
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof buf)) > 0) {
		if (fs_write_all(out, buf, (size_t)n) < 0)
			break;
	}
	if (n != 0 || close(out) < 0) {
		dv_errno(e, "cannot copy '%s' to '%s'", src, dst);
		if (n != 0)
			close(out);
		close(in);
		return -1;
	}
	close(in);
	return 0;
}

int
fs_copy_tree(const char *src, const char *dst, struct dv_err *e)
{
	char **names;
	size_t count;
	int rc = 0;

	if (!fs_is_dir(src))
		return fs_copy_file(src, dst, e);
	if (fs_mkdir_p(dst, 0755, e) < 0 || fs_list_dir(src, &names, &count, e) < 0)
		return -1;
	for (size_t i = 0; i < count && rc == 0; i++) {
		char *s = fs_join(src, names[i]), *d = fs_join(dst, names[i]);
		struct stat st;
		if (lstat(s, &st) < 0)
			rc = dv_errno(e, "cannot read '%s'", s);
		else if (S_ISDIR(st.st_mode))
			rc = fs_copy_tree(s, d, e);
		else if (S_ISREG(st.st_mode))
			rc = fs_copy_file(s, d, e);
		else
			rc = dv_errf(e, "'%s' is not a regular file or directory", s);
		free(s);
		free(d);
	}
	fs_names_free(names);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
fs_list_dir(const char *path, char ***names, size_t *count, struct dv_err *e)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t n = 0, cap = 16;
	char **v;

	if (!d)
		return dv_errno(e, "cannot open directory '%s'", path);
	v = xmalloc(cap * sizeof *v);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n + 1 >= cap)
			v = xrealloc(v, (cap *= 2) * sizeof *v);
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(v, n, sizeof *v, name_cmp);
	v[n] = NULL;
	*names = v;
	if (count)
		*count = n;
	return 0;
}

void
fs_names_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

bool
fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool
fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool
fs_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *
fs_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (la && a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

int
fs_check_relative(const char *path, const char *what, struct dv_err *e)
{
	size_t len = strlen(path);
	const char *c = path;

	if (len == 0)
		return dv_errf(e, "%s has an empty path", what);
	if (len > FS_PATH_MAX)
		return dv_errf(e, "%s path is longer than %d bytes", what, FS_PATH_MAX);
	if (path[0] == '/')
		return dv_errf(e, "%s '%s' is an absolute path", what, path);
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return dv_errf(e, "%s '%s' contains a control character",
				       what, path);
	while (*c) {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			return dv_errf(e, "%s '%s' has an empty or '.' component",
				       what, path);
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return dv_errf(e, "%s '%s' contains '..'", what, path);
		if (!end)
			break;
		c = end + 1;
		if (!*c)
			return dv_errf(e, "%s '%s' ends with '/'", what, path);
	}
	return 0;
}

int
fs_create_beneath(const char *dir, const char *rel, bool executable,
		  struct dv_err *e)
{
	char *path = fs_join(dir, rel), *parent = xstrdup(path);
	int fd = -1;

	*strrchr(parent, '/') = '\0';
	if (fs_mkdir_p(parent, 0755, e) < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  executable ? 0755 : 0644);
	if (fd < 0 && errno == EEXIST)
		dv_errf(e, "'%s' appears twice", rel);
	else if (fd < 0)
		dv_errno(e, "cannot create '%s'", path);
out:
	free(path);
	free(parent);
	return fd;
}

void
fs_sync_parent(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}
