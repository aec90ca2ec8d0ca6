/*
 * bundler import -p KEY.pub [--ignore-expiry] FILE MIRROR
 *
 * Verifies FILE while extracting it into a staging directory beside MIRROR,
 * then swaps the staging directory in.  MIRROR becomes a catalog that nginx
 * can serve and `diver source add` can use; it remembers the newest serial
 * imported per key and refuses older ones.
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
	"bundler import -p KEY.pub [--ignore-expiry] FILE MIRROR",
	"Verify a bundle and import it into the mirror directory MIRROR, atomically.",
	options,
};

int
cmd_import(int argc, char **argv)
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
		default: keys_release(&ks); return cli_usage_error("bundler import", "bad option");
		}
	}
	if (ks.n == 0 || optind + 2 != argc) {
		keys_release(&ks);
		return cli_usage_error("bundler import", "expected -p KEY.pub, FILE and MIRROR");
	}
	read_opts_init(&o, &ks, ignore);
	rc = bundle_import(argv[optind], &o, argv[optind + 1], &m, &e);
	keys_release(&ks);
	if (rc < 0)
		return fail(e.msg);
	printf("imported %s into %s: ", argv[optind], argv[optind + 1]);
	manifest_summary(stdout, &m);
	bundle_manifest_release(&m);
	return 0;
}
