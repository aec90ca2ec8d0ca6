/*
 * The app of the published image: it greets and echoes its arguments, so
 * the bare image boots, proves the console and exits 0 by itself.
 */
#include <pebble.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	printf("pebble %s (%s): no app linked in; this is the demo app.\n",
	       PEBBLE_VERSION, pb_variant());
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	return 0;
}
