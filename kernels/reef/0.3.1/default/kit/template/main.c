/*
 * A reef app, built apart from the kernel and loaded by it at boot.
 * printf writes to the console (your terminal under `diver dive`),
 * fprintf(stderr, ...) and reef_log() to the kernel log; main's return
 * value is the exit status of the run.
 */
#include <stdio.h>

int
main(int argc, char **argv)
{
	printf("Hello from reef!\n");
	for (int i = 1; i < argc; i++)
		printf("argument %d: %s\n", i, argv[i]);
	return 0;
}
