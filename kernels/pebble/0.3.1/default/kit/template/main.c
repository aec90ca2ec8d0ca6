/*
 * A pebble app.  printf writes to the console (your terminal under
 * `diver dive`), fprintf(stderr, ...) and pb_log() to the kernel log;
 * main's return value is the exit status of the run.
 */
#include <stdio.h>

int
main(int argc, char **argv)
{
	printf("Hello from pebble!\n");
	for (int i = 1; i < argc; i++)
		printf("argument %d: %s\n", i, argv[i]);
	return 0;
}
