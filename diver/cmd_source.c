/*
 * diver source add NAME URL|DIR|file://PATH|BUNDLE.dvb [--insecure]
 * diver source list [--json]
 * diver source remove NAME
 * diver update
 *
 * A source is a catalog directory (a catalog-gen output, a mirror, a file
 * share) or a bundle file, which is verified and imported into a private
 * mirror.  Its catalog is verified before it is used (see sources.c).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle.h"
#include "cli.h"
#include "diver.h"
#include "fetch.h"
#include "fs.h"
#include "strbuf.h"

enum { OPT_INSECURE = 256, OPT_JSON, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_INSECURE, "insecure", NULL,
	  "use a catalog without checking its signature (flagged in every listing)" },
	{ OPT_JSON, "json", NULL, "list as JSON" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver source add NAME URL|DIR|file://PATH|BUNDLE.dvb [--insecure]\n"
	"       diver source list [--json]\n"
	"       diver source remove NAME",
	"Manage where diver finds kernels: catalogs served over http(s), catalog\n"
	"directories (catalog-gen output, an imported mirror, a file share) and\n"
	"bundle files for offline sites.\n"
	"Catalogs must be signed by a key in the trust store (diver trust add).",
	options,
};

/* file:///a/b%20c -> /a/b c */
static char *
file_url_path(const char *url)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = url + strlen("file://");

	for (; *p; p++) {
		unsigned int byte;
		if (*p == '%' && sscanf(p + 1, "%2x", &byte) == 1) {
			strbuf_addch(&sb, (int)byte);
			p += 2;
		} else {
			strbuf_addch(&sb, *p);
		}
	}
	return strbuf_detach(&sb, NULL);
}

static int
classify(const char *location, struct source *src, struct dv_err *e)
{
	char *path = strncmp(location, "file://", 7) ? xstrdup(location)
						     : file_url_path(location);
	char real[PATH_MAX];

	if (fetch_is_url(location)) {
		size_t n = strlen(location);
		free(path);
		while (n > 8 && location[n - 1] == '/')
			n--;
		if (n >= 13 && !strncmp(location + n - 13, "/catalog.json", 13))
			n -= 13;        /* the catalog's URL: its directory is meant */
		src->kind = xstrdup("http");
		src->location = xstrndup(location, n);
		src->root = xstrdup(src->location);
		return 0;
	}
	if (!realpath(path, real)) {
		dv_errno(e, "source '%s'", location);
		free(path);
		return -1;
	}
	free(path);
	src->location = xstrdup(real);
	if (fs_is_dir(real)) {
		src->kind = xstrdup("dir");
		src->root = xstrdup(real);
		return 0;
	}
	src->kind = xstrdup("bundle");
	return 0;
}

static int
import_bundle(const struct home *h, struct source *src, const struct keyring *kr,
	      struct dv_err *e)
{
	struct bundle_read_opts o = { .keys = kr->keys, .nkeys = kr->n,
				      .now = time(NULL) };
	struct bundle_manifest m;
	char *mirrors = fs_join(h->data, "mirrors");

	if (kr->n == 0) {
		free(mirrors);
		return dv_errf(e, "no trusted keys to verify bundle '%s' with; add "
			       "its publisher's key first: diver trust add KEY.pub",
			       src->location);
	}
	free(src->root);
	src->root = fs_join(mirrors, src->name);
	if (fs_mkdir_p(mirrors, 0755, e) < 0 ||
	    bundle_import(src->location, &o, src->root, &m, e) < 0) {
		free(mirrors);
		return -1;
	}
	bundle_manifest_release(&m);
	free(mirrors);
	return 0;
}

/* Verify and record the source's catalog (importing a bundle first). */
static int
refresh(const struct home *h, struct source *src, struct dv_err *e)
{
	struct keyring kr;
	int rc;

	if (keyring_load(h, &kr, e) < 0)
		return -1;
	rc = 0;
	if (!strcmp(src->kind, "bundle"))
		rc = import_bundle(h, src, &kr, e);
	if (rc == 0)
		rc = source_refresh(h, src, &kr, e);
	keyring_release(&kr);
	return rc;
}

static void
forget(const struct home *h, const char *name)
{
	char *a = xasprintf("%s/sources/%s", h->data, name);
	char *b = xasprintf("%s/mirrors/%s", h->data, name);

	fs_rm_rf(a, NULL);
	fs_rm_rf(b, NULL);
	free(a);
	free(b);
}

static int
source_add(const struct home *h, struct sources *s, const char *name,
	   const char *location, bool insecure)
{
	struct dv_err e = { "" };
	struct source src = { 0 };

	if (!name_valid(name))
		return failf("source name '%s': use lowercase letters, digits and '-'",
			     name);
	if (sources_find(s, name) && sources_find(s, name)->origin)
		return failf("source '%s' is the site's (%s); choose another name",
			     name, sources_find(s, name)->origin);
	if (sources_find(s, name))
		return failf("source '%s' exists; remove it first with 'diver source "
			     "remove %s'", name, name);
	src.name = xstrdup(name);
	src.insecure = insecure;
	src.serial = -1;
	if (classify(location, &src, &e) < 0 || refresh(h, &src, &e) < 0)
		goto fail;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = src;
	if (sources_save(h, s, &e) < 0)
		return fail(e.msg);
	printf("added source '%s' (%s %s, catalog serial %lld)%s\n", name, src.kind,
	       src.location, src.serial, insecure ? " INSECURE: not verified" : "");
	return 0;
fail:
	forget(h, name);
	free(src.name);
	free(src.kind);
	free(src.location);
	free(src.root);
	return fail(e.msg);
}

static int
source_list(const struct home *h, struct sources *s, bool json)
{
	jv *arr = jv_array();

	for (size_t i = 0; i < s->n; i++) {
		struct source *src = &s->v[i];
		struct dv_err e = { "" };
		size_t kernels = source_open(h, src, &e) == 0 ? src->cat.nkernels : 0;
		if (json) {
			jv *o = jv_object();
			jv_set(o, "name", jv_string(src->name));
			jv_set(o, "kind", jv_string(src->kind));
			jv_set(o, "location", jv_string(src->location));
			jv_set(o, "insecure", jv_boolean(src->insecure));
			jv_set(o, "site", jv_boolean(src->origin != NULL));
			jv_set(o, "serial", jv_integer(src->serial));
			jv_set(o, "kernels", jv_integer((long long)kernels));
			jv_push(arr, o);
		} else {
			printf("%-12s %-6s %3zu kernel%s  serial %-12lld %s%s\n", src->name,
			       src->kind, kernels, kernels == 1 ? " " : "s", src->serial,
			       src->location, src->insecure ? "  [INSECURE: unverified]" :
			       src->origin ? "  [site]" : "");
		}
	}
	if (json) {
		char *text = jv_dump(arr, JV_PRETTY);
		fputs(text, stdout);
		free(text);
	} else if (s->n == 0) {
		printf("no sources; add one with 'diver source add NAME URL|DIR|BUNDLE.dvb'\n");
	}
	jv_free(arr);
	return 0;
}

static int
source_remove(const struct home *h, struct sources *s, const char *name)
{
	struct source *src = sources_find(s, name);
	struct dv_err e = { "" };
	size_t i;

	if (!src)
		return failf("no source named '%s' (see 'diver source list')", name);
	if (src->origin)
		return failf("source '%s' is the site's (%s): only its administrator "
			     "can remove it", name, src->origin);
	i = (size_t)(src - s->v);
	free(src->name);
	free(src->kind);
	free(src->location);
	free(src->root);
	if (src->opened)
		catalog_release(&src->cat);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
	s->n--;
	if (sources_save(h, s, &e) < 0)
		return fail(e.msg);
	forget(h, name);
	printf("removed source '%s'\n", name);
	return 0;
}

static int
update_all(const struct home *h, struct sources *s)
{
	int rc = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct dv_err e = { "" };
		if (refresh(h, &s->v[i], &e) < 0) {
			fail(e.msg);
			rc = 1;
		} else {
			printf("%s: serial %lld\n", s->v[i].name, s->v[i].serial);
		}
	}
	return rc;
}

static int
dispatch(const struct home *h, struct sources *s, int argc, char **argv,
	 bool insecure, bool json)
{
	if (argc >= 1 && !strcmp(argv[0], "update") && argc == 1)
		return update_all(h, s);
	if (argc == 3 && !strcmp(argv[0], "add"))
		return source_add(h, s, argv[1], argv[2], insecure);
	if (argc == 1 && !strcmp(argv[0], "list"))
		return source_list(h, s, json);
	if (argc == 2 && !strcmp(argv[0], "remove"))
		return source_remove(h, s, argv[1]);
	return cli_usage_error("diver source", "expected 'add NAME LOCATION', "
			       "'list' or 'remove NAME'");
}

/* diver update: refresh every source (the same as 'diver source update'). */
int
cmd_update(int argc, char **argv)
{
	char *args[] = { argv[0], "update", NULL };

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: diver update\n\nFetch and verify the catalog of every "
		       "source again (re-importing bundle files).\n");
		return 0;
	}
	if (argc > 1)
		return cli_usage_error("diver update", "takes no arguments");
	return cmd_source(2, args);
}

int
cmd_source(int argc, char **argv)
{
	struct dv_err e = { "" };
	bool insecure = false, json = false;
	struct sources s;
	struct home h;
	char *arg;
	int c, rc;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case OPT_INSECURE: insecure = true; break;
		case OPT_JSON: json = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver source", "bad option");
		}
	}
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (sources_load(&h, &s, &e) < 0) {
		home_release(&h);
		return fail(e.msg);
	}
	rc = dispatch(&h, &s, argc - optind, argv + optind, insecure, json);
	sources_release(&s);
	home_release(&h);
	return rc;
}
