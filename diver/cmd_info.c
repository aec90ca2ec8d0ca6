/*
 * diver info NAME[:VARIANT][@VERSION] [--json]
 *
 * Everything about one kernel release: what it is, how apps are built for
 * it, where it can run, its variants and their packages, the other
 * releases, and whether it is in the cache already.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diver.h"
#include "fs.h"
#include "strbuf.h"

enum { OPT_JSON = 256, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_JSON, "json", NULL, "print JSON for scripts" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver info NAME[:VARIANT][@VERSION] [--json]",
	"Show one kernel release: summary, build model, modes, variants with\n"
	"their packages, the other releases, and the source it comes from.",
	options,
};

static void
list_line(const char *label, const struct strlist *l)
{
	printf("%-12s ", label);
	for (size_t i = 0; i < l->n; i++)
		printf("%s%s", i ? ", " : "", l->v[i]);
	printf("%s\n", l->n ? "" : "-");
}

static bool
cached(const struct home *h, const struct kernel_variant *v)
{
	char *p = xasprintf("%s/pkg/%s.tar.zst", h->cache, v->package.sha256);
	bool yes = fs_is_file(p);

	free(p);
	return yes;
}

static void
print_text(const struct home *h, const struct resolved *res)
{
	const struct kernel *k = res->rel;
	const struct catalog_kernel *ck = catalog_find(&res->src->cat, k->name);
	char size[32];

	printf("%s %s — %s\n\n", k->name, k->version, k->summary);
	if (k->description)
		printf("%s\n\n", k->description);
	printf("%-12s %s\n", "source", res->src->name);
	printf("%-12s %s\n", "license", k->license);
	if (k->homepage)
		printf("%-12s %s\n", "homepage", k->homepage);
	list_line("authors", &k->authors);
	list_line("tags", &k->tags);
	printf("%-12s %s\n", "arch", k->arch);
	list_line("modes", &k->modes);
	printf("%-12s %s%s\n", "build", k->build,
	       !strcmp(k->build, "link") ? " (the app is linked into the kernel)" :
	       !strcmp(k->build, "module") ? " (the kernel loads the app at boot)" :
	       !strcmp(k->build, "none") ? " (the image as published; the app is an "
					    "initramfs)" : "");
	if (k->toolchain_name)
		printf("%-12s %s %s\n", "toolchain", k->toolchain_name,
		       k->toolchain_version);
	printf("\nvariants:\n");
	for (size_t i = 0; i < k->nvariants; i++) {
		const struct kernel_variant *v = &k->variants[i];
		format_size(v->package.size, size);
		printf("  %-10s %-10s package %s, sha256 %.16s…%s%s%s\n", v->name,
		       v->image_format, size, v->package.sha256,
		       cached(h, v) ? " (cached)" : "", v->config ? " — " : "",
		       v->config ? v->config : "");
	}
	if (ck && ck->nreleases > 1) {
		printf("\nreleases:");
		for (size_t i = 0; i < ck->nreleases; i++)
			printf(" %s%s", ck->releases[i].version,
			       ck->releases[i].version == k->version ? "*" : "");
		printf("\n");
	}
	printf("\nstart an app: diver init app %s:%s@%s\n", k->name, res->var->name,
	       k->version);
}

static void
print_json(const struct home *h, const struct resolved *res)
{
	const struct catalog_kernel *ck = catalog_find(&res->src->cat, res->rel->name);
	jv *o = kernel_to_jv(res->rel, true), *rels = jv_array(), *vars;
	char *s;

	jv_set(o, "source", jv_string(res->src->name));
	jv_set(o, "variant", jv_string(res->var->name));
	for (size_t i = 0; ck && i < ck->nreleases; i++)
		jv_push(rels, jv_string(ck->releases[i].version));
	jv_set(o, "releases", rels);
	vars = jv_get(o, "variants");
	for (size_t i = 0; i < res->rel->nvariants; i++) {
		jv *v = jv_get(vars, res->rel->variants[i].name);
		if (v)
			jv_set(v, "cached", jv_boolean(cached(h, &res->rel->variants[i])));
	}
	s = jv_dump(o, JV_PRETTY);
	fputs(s, stdout);
	free(s);
	jv_free(o);
}

int
cmd_info(int argc, char **argv)
{
	struct dv_err e = { "" };
	struct resolved res;
	struct sources s = { 0 };
	bool json = false;
	struct home h;
	struct ref r;
	char *arg;
	int c, rc = 1;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver info", "bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("diver info", "expected one kernel reference, "
				       "e.g. pebble or pebble:debug@0.1.0");
	if (ref_parse(argv[optind], &r, &e) < 0)
		return fail(e.msg);
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (sources_load(&h, &s, &e) < 0 || sources_resolve(&h, &s, &r, &res, &e) < 0) {
		fail(e.msg);
	} else {
		if (json)
			print_json(&h, &res);
		else
			print_text(&h, &res);
		rc = 0;
	}
	sources_release(&s);
	home_release(&h);
	return rc;
}
