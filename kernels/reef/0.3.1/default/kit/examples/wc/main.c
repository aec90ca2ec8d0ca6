/*
 * wc — counts the lines, words and bytes of host files read through
 * splitvm delegation (or of stdin without arguments), like wc(1):
 *   diver dive -d splitvm wc --share DIR -- FILE...
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct counts {
	unsigned long long lines, words, bytes;
};

static int
count(int fd, struct counts *c)
{
	static char buf[65536];
	int in_word = 0;
	long n;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		c->bytes += (unsigned long long)n;
		for (long i = 0; i < n; i++) {
			unsigned char b = (unsigned char)buf[i];
			c->lines += b == '\n';
			if (isspace(b))
				in_word = 0;
			else if (!in_word)
				in_word = 1, c->words++;
		}
	}
	return n < 0 ? -1 : 0;
}

static void
print(const struct counts *c, const char *name)
{
	printf("%7llu %7llu %7llu%s%s\n", c->lines, c->words, c->bytes,
	       name ? " " : "", name ? name : "");
}

int
main(int argc, char **argv)
{
	struct counts total = { 0, 0, 0 };
	int status = 0;

	if (argc < 2) {
		if (count(0, &total) < 0)
			return 1;
		print(&total, NULL);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		struct counts c = { 0, 0, 0 };
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0 || count(fd, &c) < 0) {
			fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		} else {
			print(&c, argv[i]);
			total.lines += c.lines;
			total.words += c.words;
			total.bytes += c.bytes;
		}
		if (fd >= 0)
			close(fd);
	}
	if (argc > 2)
		print(&total, "total");
	return status;
}
