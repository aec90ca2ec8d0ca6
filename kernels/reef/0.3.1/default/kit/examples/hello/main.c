/*
 * hello — prints a greeting and its arguments, and exits 0.
 */
#include <stdio.h>

int
main(int argc, char **argv)
{
	printf("Hello from %s!\n", argc > 0 ? argv[0] : "an app");
	for (int i = 1; i < argc; i++)
		printf("argument %d: %s\n", i, argv[i]);
	return 0;
}
