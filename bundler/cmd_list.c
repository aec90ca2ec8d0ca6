/*
 * bundler list [--json] FILE
 *
 * Prints a bundle's manifest: what it was asked to hold and every member.
 * It reads only the manifest and does not verify it; say so, and point to
 * `bundler verify`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundler-verify.h"
#include "bundler.h"
#include "cli.h"
#include "json.h"

enum { OPT_JSON = 256, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_JSON, "json", NULL, "print the members as JSON" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"bundler list [--json] FILE",
	"Show a bundle's manifest.  Nothing is verified: run 'bundler verify'\n"
	"before trusting what it says.",
	options,
};

static void
print_json(const struct bundle_manifest *m)
{
	jv *a = jv_array();
	char *s;

	for (size_t i = 0; i < m->nmembers; i++) {
		jv *o = jv_object();
		jv_set(o, "path", jv_string(m->members[i].path));
		jv_set(o, "size", jv_integer((long long)m->members[i].size));
		jv_set(o, "sha256", jv_string(m->members[i].sha256));
		jv_push(a, o);
	}
	s = jv_dump(a, JV_PRETTY);
	fputs(s, stdout);
	free(s);
	jv_free(a);
}

static void
print_text(const char *file, const struct bundle_manifest *m)
{
	printf("bundle %s (not verified; run 'bundler verify')\n  ", file);
	manifest_summary(stdout, m);
	printf("  asked for: ");
	if (m->all)
		printf("--all");
	for (size_t i = 0; i < m->refs.n; i++)
		printf("%s%s", i ? " " : "", m->refs.v[i]);
	printf("\n");
	for (size_t i = 0; i < m->nmembers; i++)
		printf("%12llu  %.12s  %s\n", (unsigned long long)m->members[i].size,
		       m->members[i].sha256, m->members[i].path);
}

int
cmd_list(int argc, char **argv)
{
	struct bundle_manifest m;
	struct dv_err e = { "" };
	bool json = false;
	char *arg;
	int c;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("bundler list", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("bundler list", "expected one FILE");
	if (bundle_peek(argv[optind], &m, &e) < 0)
		return fail(e.msg);
	if (json)
		print_json(&m);
	else
		print_text(argv[optind], &m);
	bundle_manifest_release(&m);
	return 0;
}
