/*
 * upper — copies standard input to standard output with ASCII letters
 * upper-cased; every other byte passes unchanged.  Exits 0.
 */
#include <ctype.h>
#include <unistd.h>

int
main(void)
{
	static char buf[16384];
	long n;

	while ((n = read(0, buf, sizeof buf)) > 0) {
		for (long i = 0; i < n; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		if (write(1, buf, (size_t)n) != n)
			return 1;
	}
	return n < 0 ? 1 : 0;
}
