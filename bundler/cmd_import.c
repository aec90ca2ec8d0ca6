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

static const struct cli_cmd command = {
	"bundler import -p KEY.pub [--ignore-expiry] FILE MIRROR",
	"Verify a bundle and import it into the mirror directory MIRROR, atomically.",
	verify_options,
};

int
cmd_import(int argc, char **argv)
{
	struct keyset ks = { 0 };
	struct bundle_read_opts o;
	struct bundle_manifest m;
	struct dv_err e = { "" };
	bool ignore = false;
	struct bar bar;
	int rc;

	if ((rc = verify_args(&command, argc, argv, 2, &ks, &ignore)))
		return rc;
	read_opts_init(&o, &ks, ignore);
	bar_start(&bar, "importing");
	o.progress = progress_cb;
	o.progress_arg = &bar;
	rc = bundle_import(argv[optind], &o, argv[optind + 1], &m, &e);
	bar_end(&bar);
	keys_release(&ks);
	if (rc < 0)
		return fail(e.msg);
	if (m.parts && m.parts_present < m.parts)
		printf("kept part %d of %d of %s for %s (%d of %d here; import the "
		       "others, in any order): ", m.part, m.parts, argv[optind],
		       argv[optind + 1], m.parts_present, m.parts);
	else
		printf("imported %s into %s: ", argv[optind], argv[optind + 1]);
	manifest_summary(stdout, &m);
	bundle_manifest_release(&m);
	return 0;
}
