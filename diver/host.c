/*
 * host.c — /sys, /proc and /dev under $DIVER_SYSROOT, tools in PATH,
 * sysfs attributes written with read-back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "host.h"
#include "strbuf.h"

char *
host_path(const char *path)
{
	const char *root = getenv("DIVER_SYSROOT");

	return root && *root ? xasprintf("%s%s", root, path) : xstrdup(path);
}

bool
host_exists(const char *path)
{
	char *p = host_path(path);
	bool yes = fs_exists(p);

	free(p);
	return yes;
}

char *
host_which(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy = xstrdup(path ? path : "/usr/bin:/bin"), *save = NULL;

	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = fs_join(*d ? d : ".", prog);
		if (access(p, X_OK) == 0) {
			free(copy);
			return p;
		}
		free(p);
	}
	free(copy);
	return NULL;
}

int
host_read_attr(const char *path, char *buf, size_t len, struct dv_err *e)
{
	char *p = host_path(path);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		dv_errno(e, "cannot read '%s'", p);
		free(p);
		return -1;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0) {
		dv_errno(e, "cannot read '%s'", p);
		free(p);
		return -1;
	}
	free(p);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int
host_write_attr(const char *path, const char *value, struct dv_err *e)
{
	char *p, *line, now[128];
	int fd, rc = -1;

	if (host_read_attr(path, now, sizeof now, e) == 0 && !strcmp(now, value))
		return 0;
	p = host_path(path);
	line = xasprintf("%s\n", value);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || fs_write_all(fd, line, strlen(line)) < 0) {
		dv_errno(e, "cannot write '%s' to '%s' (diver needs root for this)",
			 value, p);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		dv_errno(e, "cannot write '%s' to '%s'", value, p);
		goto out;
	}
	fd = -1;
	if (host_read_attr(path, now, sizeof now, e) < 0)
		goto out;
	if (strcmp(now, value)) {
		dv_errf(e, "'%s' reads '%s' after writing '%s': the kernel refused "
			"the change without an error", p, now, value);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(line);
	free(p);
	return rc;
}
