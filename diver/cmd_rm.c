/*
 * diver rm NET...
 *
 * Forget built nets: each NET is an id from 'diver list nets' (or a unique
 * prefix of one) or an app directory.  The app's sources and its own
 * build/ are left alone; only diver's copy in data/nets/ goes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diver.h"
#include "fs.h"
#include "strbuf.h"

enum { OPT_LIST_OPTIONS = 256 };

static const struct cli_opt options[] = {
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver rm NET...",
	"Remove built nets (ids from 'diver list nets', unique prefixes, or app\n"
	"directories).  The apps themselves are not touched.",
	options,
};

static int
rm_one(const struct home *h, const char *what)
{
	struct dv_err e = { "" };
	struct net n = { 0 };
	char *gone;
	int rc = 0;

	if (net_find(h, what, &n, &e) < 0)
		return fail(e.msg);
	/* out of sight in one rename, then removed */
	gone = xasprintf("%s.removing", n.dir);
	if (rename(n.dir, gone) < 0 || fs_rm_rf(gone, &e) < 0) {
		rc = failf("cannot remove net %s in '%s'", n.id, n.dir);
	} else {
		const jv *k = jv_get(n.json, "kernel"), *app = jv_get(n.json, "app");
		printf("removed net %s (app %s on %s@%s)\n", n.id,
		       jv_str(jv_get(app, "name")) ? jv_str(jv_get(app, "name")) : "?",
		       jv_str(jv_get(k, "name")) ? jv_str(jv_get(k, "name")) : "?",
		       jv_str(jv_get(k, "version")) ? jv_str(jv_get(k, "version")) : "?");
	}
	free(gone);
	net_release(&n);
	return rc;
}

int
cmd_rm(int argc, char **argv)
{
	struct dv_err e = { "" };
	struct home h;
	char *arg;
	int c, rc = 0;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver rm", "bad option");
		}
	}
	if (optind == argc)
		return cli_usage_error("diver rm", "expected a net (see 'diver list nets')");
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	for (int i = optind; i < argc; i++)
		if (rm_one(&h, argv[i]))
			rc = 1;
	home_release(&h);
	return rc;
}
