/*
 * diver pull REF... [-q]
 *
 * Gets kernels' packages into the content-addressed cache, so that init
 * works later without the source: checked against the signed catalog
 * while they stream in, resumed after an
 * interruption, downloaded once however many diver processes ask at once.
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
	{ 'q', "quiet", NULL, "print nothing but errors" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver pull NAME[:VARIANT][@VERSION]... [-q]",
	"Download kernels into the cache, checked against their source's signed\n"
	"catalog, so that 'diver init' needs no source later.  An interrupted\n"
	"download resumes; a progress bar shows on a terminal.",
	options,
};

static int
pull_one(const struct home *h, struct sources *s, const char *refstr, bool quiet)
{
	struct dv_err e = { "" };
	struct resolved res;
	char *dir, *pkg, size[32];
	bool had;
	struct ref r;

	if (ref_parse(refstr, &r, &e) < 0 || sources_resolve(h, s, &r, &res, &e) < 0)
		return fail(e.msg);
	pkg = xasprintf("%s/pkg/%s.tar.zst", h->cache, res.var->package.sha256);
	had = fs_is_file(pkg);
	free(pkg);
	if (cache_fetch(h, &res, &e) < 0)
		return fail(e.msg);
	if (toolchain_install(h, res.src, res.rel, &dir, &e) < 0)
		return fail(e.msg);
	if (dir && !quiet)
		printf("have toolchain %s %s\n", res.rel->toolchain_name,
		       res.rel->toolchain_version);
	free(dir);
	format_size(res.var->package.size, size);
	if (!quiet)
		printf("%s %s:%s@%s from '%s' (%s, sha256 %.12s)\n",
		       had ? "have" : "pulled", res.rel->name, res.var->name,
		       res.rel->version, res.src->name, size,
		       res.var->package.sha256);
	return 0;
}

int
cmd_pull(int argc, char **argv)
{
	struct dv_err e = { "" };
	struct sources s;
	bool quiet = false;
	struct home h;
	char *arg;
	int c, rc = 0;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver pull", "bad option");
		}
	}
	if (optind == argc)
		return cli_usage_error("diver pull", "expected a kernel reference, "
				       "e.g. pebble or pebble:debug@0.1.0");
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (sources_load(&h, &s, &e) < 0) {
		home_release(&h);
		return fail(e.msg);
	}
	for (int i = optind; i < argc; i++)
		if (pull_one(&h, &s, argv[i], quiet))
			rc = 1;
	sources_release(&s);
	home_release(&h);
	return rc;
}
