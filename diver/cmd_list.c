/*
 * diver list nets [--json]
 *
 * The nets built on this machine, newest first:
 *   ID            KERNEL                 APP     CREATED               SIZE
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diver.h"
#include "strbuf.h"

enum { OPT_JSON = 256, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_JSON, "json", NULL, "print JSON for scripts" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver list nets [--json]",
	"List the nets built on this machine, newest first.",
	options,
};

static const char *
field(const jv *o, const char *a, const char *b)
{
	const char *s = jv_str(jv_get(b ? jv_get(o, a) : o, b ? b : a));

	return s ? s : "?";
}

static void
print_nets(const struct net *nets, size_t n)
{
	if (n == 0) {
		printf("no nets yet; build one with 'diver build DIR'\n");
		return;
	}
	printf("%-12s  %-28s  %-14s  %-20s  %s\n", "ID", "KERNEL", "APP", "CREATED",
	       "SIZE");
	for (size_t i = 0; i < n; i++) {
		const jv *j = nets[i].json;
		char kernel[160], sz[32];
		snprintf(kernel, sizeof kernel, "%s:%s@%s", field(j, "kernel", "name"),
			 field(j, "kernel", "variant"), field(j, "kernel", "version"));
		format_size((unsigned long long)(jv_int(jv_get(jv_get(j, "image"), "size")) +
						 jv_int(jv_get(jv_get(j, "module"), "size"))), sz);
		printf("%-12s  %-28s  %-14s  %-20s  %s\n", nets[i].id, kernel,
		       field(j, "app", "name"), field(j, "created", NULL), sz);
	}
}

static void
print_json(const struct net *nets, size_t n)
{
	jv *arr = jv_array();
	char *s;

	for (size_t i = 0; i < n; i++)
		jv_push(arr, jv_ref(nets[i].json));
	s = jv_dump(arr, JV_PRETTY);
	fputs(s, stdout);
	free(s);
	jv_free(arr);
}

int
cmd_list(int argc, char **argv)
{
	struct dv_err e = { "" };
	struct net *nets;
	struct home h;
	bool json = false;
	size_t n;
	char *arg;
	int c;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver list", "bad option");
		}
	}
	if (argc - optind != 1 || strcmp(argv[optind], "nets"))
		return cli_usage_error("diver list", "expected 'nets'");
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (net_list(&h, &nets, &n, &e) < 0) {
		home_release(&h);
		return fail(e.msg);
	}
	if (json)
		print_json(nets, n);
	else
		print_nets(nets, n);
	for (size_t i = 0; i < n; i++)
		net_release(&nets[i]);
	free(nets);
	home_release(&h);
	return 0;
}
