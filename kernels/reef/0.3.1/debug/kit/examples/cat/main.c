/*
 * cat — copies standard input to standard output, byte for byte (binary
 * safe), until the end of input; exits 0.  In a pipeline:
 *   producer | diver dive cat | consumer
 */
#include <unistd.h>

int
main(void)
{
	static char buf[16384];
	long n;

	while ((n = read(0, buf, sizeof buf)) > 0)
		for (long done = 0; done < n;) {
			long w = write(1, buf + done, (size_t)(n - done));
			if (w <= 0)
				return 1;
			done += w;
		}
	return n < 0 ? 1 : 0;
}
