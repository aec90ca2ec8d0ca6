/*
 * bundler COMMAND [OPTIONS] ...
 *
 * Packs kernels, kits and toolchains into signed offline bundles, verifies
 * them and imports them into a mirror.  Each command is in cmd_NAME.c.
 */
#include <stdio.h>
#include <string.h>

#include "bundler.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "keygen", cmd_keygen, "make an Ed25519 key pair (KEY and KEY.pub)" },
	{ "pack", cmd_pack, "pack kernels from a catalog into a signed bundle" },
	{ "verify", cmd_verify, "check a bundle's signature and every member" },
	{ "list", cmd_list, "show a bundle's manifest" },
	{ "import", cmd_import, "verify a bundle and import it into a mirror" },
	{ NULL, NULL, NULL },
};

int
fail(const char *msg)
{
	fprintf(stderr, "bundler: %s\n", msg);
	return 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: bundler COMMAND [OPTIONS] ...\n\n"
		"Signed offline bundles of kernels for sites without a network.\n\n"
		"commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->help);
	fprintf(f, "\nRun 'bundler COMMAND --help' for a command's options.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--list-commands")) {
		for (const struct command *c = commands; c->name; c++)
			puts(c->name);
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "bundler: unknown command '%s'\ntry 'bundler --help'\n",
		argv[1]);
	return 2;
}
