/*
 * bundler verify -p KEY.pub [-p KEY2.pub ...] [--ignore-expiry] FILE
 *
 * Checks the manifest's signature before anything else, then streams every
 * member once, checking sizes, hashes and that the members are exactly the
 * ones the manifest lists.  Writes nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundler-verify.h"
#include "bundler.h"
#include "cli.h"

enum { OPT_IGNORE_EXPIRY = 256, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ 'p', "pubkey", "KEY.pub", "accept bundles signed by this key (repeatable)" },
	{ OPT_IGNORE_EXPIRY, "ignore-expiry", NULL,
	  "accept an expired bundle (for machines with a wrong clock)" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"bundler verify -p KEY.pub [--ignore-expiry] FILE",
	"Verify a bundle: its signature, then every member's size and sha256.",
	options,
};

int
cmd_verify(int argc, char **argv)
{
	struct keyset ks = { 0 };
	struct bundle_read_opts o;
	struct bundle_manifest m;
	struct dv_err e = { "" };
	bool ignore = false;
	char *arg;
	int c, rc;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'p':
			if (keys_add(&ks, arg, &e) < 0) {
				keys_release(&ks);
				return fail(e.msg);
			}
			break;
		case OPT_IGNORE_EXPIRY: ignore = true; break;
		case 'h': cli_help(stdout, &command); keys_release(&ks); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: keys_release(&ks); return cli_usage_error("bundler verify", "bad option");
		}
	}
	if (ks.n == 0 || optind + 1 != argc) {
		keys_release(&ks);
		return cli_usage_error("bundler verify", "expected -p KEY.pub and one FILE");
	}
	read_opts_init(&o, &ks, ignore);
	rc = bundle_read(argv[optind], &o, &m, &e);
	keys_release(&ks);
	if (rc < 0)
		return fail(e.msg);
	printf("%s: OK, ", argv[optind]);
	manifest_summary(stdout, &m);
	bundle_manifest_release(&m);
	return 0;
}
