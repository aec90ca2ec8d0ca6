/*
 * cp — copies the host file SRC to DST through splitvm delegation
 * (DST is created or truncated), byte for byte:
 *   diver dive -d splitvm cp --share DIR -- SRC DST
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
fail(const char *what, const char *path)
{
	fprintf(stderr, "cp: %s '%s': %s\n", what, path, strerror(errno));
	return 1;
}

static int
copy(int in, int out, const char *src, const char *dst)
{
	static char buf[65536];
	long n;

	while ((n = read(in, buf, sizeof buf)) > 0)
		for (long done = 0; done < n;) {
			long w = write(out, buf + done, (size_t)(n - done));
			if (w <= 0)
				return fail("cannot write", dst);
			done += w;
		}
	return n < 0 ? fail("cannot read", src) : 0;
}

int
main(int argc, char **argv)
{
	int in, out, status;

	if (argc != 3) {
		fprintf(stderr, "usage: cp SRC DST\n");
		return 2;
	}
	if ((in = open(argv[1], O_RDONLY)) < 0)
		return fail("cannot open", argv[1]);
	if ((out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		close(in);
		return fail("cannot create", argv[2]);
	}
	status = copy(in, out, argv[1], argv[2]);
	close(in);
	if (close(out) < 0 && !status)
		status = fail("cannot close", argv[2]);
	return status;
}
