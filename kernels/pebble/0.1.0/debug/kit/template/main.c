/* A pebble app: printf goes to your terminal, stderr to the kernel log. */
#include <pebble.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	printf("Hello from pebble!\n");
	for (int i = 1; i < argc; i++)
		printf("argument %d: %s\n", i, argv[i]);
	return 0;
}
