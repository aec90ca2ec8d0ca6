/*
 * spin — never ends: prints one line, then spins the CPU.  For trying
 * `diver dive --timeout S` (the run then ends with status 124).
 */
#include <stdio.h>

int
main(void)
{
	volatile unsigned long turns = 0;

	printf("spinning until stopped\n");
	fflush(stdout);
	for (;;)
		turns++;
}
