/*
 * bundler COMMAND [OPTIONS] ...
 *
 * Packs kernels, kits and toolchains into signed offline bundles, verifies
 * them and imports them into a mirror.  Each command is in cmd_NAME.c.
 */
#include <stdio.h>
#include <string.h>

#include "bundler.h"
#include "cli.h"

static const struct cli_command commands[] = {
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

int
main(int argc, char **argv)
{
	static const struct cli_tool tool = {
		"bundler", "0.1.0",
		"Signed offline bundles of kernels for sites without a network.",
		NULL, commands,
	};

	return cli_dispatch(&tool, argc, argv);
}
