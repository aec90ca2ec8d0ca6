/*
 * relay.c — stdout, the kernel log and the clock, the same for every
 * backend (see relay.h).
 */
#include "relay.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"

double
relay_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
relay_write_stdout(const unsigned char *b, size_t n)
{
	return fs_write_all(STDOUT_FILENO, b, n);
}

/* Linux's "Kernel panic - not syncing: MSG" among the first n bytes of s. */
static char *
find_panic(const char *s, size_t n)
{
	static const char mark[] = "Kernel panic - not syncing: ";
	const char *at = memmem(s, n, mark, sizeof mark - 1), *end;
	size_t len;

	if (!at)
		return NULL;
	at += sizeof mark - 1;
	end = memchr(at, '\n', n - (size_t)(at - s));
	len = end ? (size_t)(end - at) : 0;
	if (len && at[len - 1] == '\r')
		len--;
	return xstrndup(at, len);
}

void
relay_log(struct strbuf *line, const void *buf, ssize_t n, int fd, char **panic)
{
	char *nl;
	size_t whole;

	if (n > 0)
		strbuf_add(line, buf, (size_t)n);
	nl = line->len ? memrchr(line->buf, '\n', line->len) : NULL;
	whole = n <= 0 ? line->len : nl ? (size_t)(nl - line->buf) + 1 : 0;
	if (!whole)
		return;
	if (panic && !*panic)
		*panic = find_panic(line->buf, whole);
	fs_write_all(fd, line->buf, whole);
	memmove(line->buf, line->buf + whole, line->len - whole);
	strbuf_setlen(line, line->len - whole);
}
