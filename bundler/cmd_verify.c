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

static const struct cli_cmd command = {
	"bundler verify -p KEY.pub [--ignore-expiry] FILE",
	"Verify a bundle: its signature, then every member's size and sha256.",
	verify_options,
};

int
cmd_verify(int argc, char **argv)
{
	struct keyset ks = { 0 };
	struct bundle_read_opts o;
	struct bundle_manifest m;
	struct dv_err e = { "" };
	bool ignore = false;
	struct bar bar;
	int rc;

	if ((rc = verify_args(&command, argc, argv, 1, &ks, &ignore)))
		return rc;
	read_opts_init(&o, &ks, ignore);
	bar_start(&bar, "verifying");
	o.progress = progress_cb;
	o.progress_arg = &bar;
	rc = bundle_read(argv[optind], &o, &m, &e);
	bar_end(&bar);
	keys_release(&ks);
	if (rc < 0)
		return fail(e.msg);
	printf("%s: OK, ", argv[optind]);
	manifest_summary(stdout, &m);
	bundle_manifest_release(&m);
	return 0;
}
