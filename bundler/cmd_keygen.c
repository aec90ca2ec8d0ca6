/*
 * bundler keygen -o KEY [--force]
 *
 * Writes a new Ed25519 key pair: KEY (PKCS#8 PEM, mode 0600) and KEY.pub.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundler.h"
#include "cli.h"
#include "crypto.h"
#include "fs.h"
#include "strbuf.h"

enum { OPT_LIST_OPTIONS = 256 };

static const struct cli_opt options[] = {
	{ 'o', "output", "KEY", "write the private key to KEY and the public key to KEY.pub" },
	{ 'f', "force", NULL, "replace existing key files" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"bundler keygen -o KEY [--force]",
	"Make an Ed25519 signing key.  Give KEY.pub to the sites that verify your\n"
	"bundles; keep KEY secret.",
	options,
};

int
cmd_keygen(int argc, char **argv)
{
	const char *out = NULL;
	struct dv_err e = { "" };
	char id[KEYID_HEX], *pub;
	struct sigkey *k;
	int force = 0, c;
	char *arg;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'o': out = arg; break;
		case 'f': force = 1; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("bundler keygen", "bad option");
		}
	}
	if (!out || optind != argc)
		return cli_usage_error("bundler keygen", "expected -o KEY and nothing else");
	pub = xasprintf("%s.pub", out);
	if (!force && (fs_exists(out) || fs_exists(pub))) {
		fprintf(stderr, "bundler: '%s' or '%s' exists; pass --force to "
			"replace it\n", out, pub);
		free(pub);
		return 1;
	}
	free(pub);
	if (key_generate(out, &e) < 0 || !(k = sigkey_load(out, &e)))
		return fail(e.msg);
	sigkey_id(k, id);
	sigkey_free(k);
	printf("wrote %s and %s.pub (key id %s)\n", out, out, id);
	return 0;
}
