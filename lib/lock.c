#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

int
lock_acquire(const char *path, bool exclusive, bool wait, const char *what,
	     struct dv_err *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);

	/* another user's lock file in a shared directory: flock needs only
	 * a descriptor, and O_CREAT of another's file in a sticky directory
	 * is refused (fs.protected_regular) */
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return dv_errno(e, "cannot open lock file '%s'", path);
	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			dv_errf(e, "%s is busy: another process holds '%s'", what, path);
		else
			dv_errno(e, "cannot lock '%s'", path);
		close(fd);
		return -1;
	}
	return fd;
}

void
lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
