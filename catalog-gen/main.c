/*
 * catalog-gen [-k KEY] [-o OUT] [--base-url URL] [--check] KERNELS_DIR
 *
 * Renders a kernels/ tree into a static catalog: catalog.json (+ .sig),
 * packages under pkg/, and the HTML pages.  Everything is written into a
 * staging directory beside OUT and swapped in at the end, so a failed run
 * leaves the previous catalog as it was.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog-gen.h"
#include "cli.h"
#include "fs.h"
#include "strbuf.h"
#include "timefmt.h"

enum { OPT_BASE_URL = 256, OPT_CHECK, OPT_VALID_DAYS, OPT_ALLOW_REPUBLISH,
       OPT_MAX_IMAGE, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ 'o', "output", "OUT", "write the catalog into OUT (default: site)" },
	{ 'k', "key", "KEY", "sign catalog.json with this Ed25519 private key" },
	{ OPT_BASE_URL, "base-url", "URL", "the URL the catalog will be served at" },
	{ OPT_CHECK, "check", NULL, "validate KERNELS_DIR only; write nothing" },
	{ OPT_VALID_DAYS, "valid-days", "N",
	  "the catalog expires N days after it is generated (default 90)" },
	{ OPT_ALLOW_REPUBLISH, "allow-republish", NULL,
	  "accept a published release whose image changed" },
	{ OPT_MAX_IMAGE, "max-image-size", "MIB",
	  "refuse images larger than MIB mebibytes (default 512)" },
	{ 'q', "quiet", NULL, "print only warnings and errors" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"catalog-gen [OPTIONS] KERNELS_DIR",
	"Render a kernels/ tree into a static, signed catalog that any web server\n"
	"or file share can serve: catalog.json, catalog.json.sig, pkg/ and HTML.",
	options,
};

static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *end || end == s || *out < min || *out > max ? -1 : 0;
}

static int
parse_args(int argc, char **argv, struct gen_opts *o)
{
	char *arg;
	long n;
	int c;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'o': o->out_dir = arg; break;
		case 'k': o->key_path = arg; break;
		case 'q': o->quiet = true; break;
		case OPT_BASE_URL: o->base_url = arg; break;
		case OPT_CHECK: o->check_only = true; break;
		case OPT_ALLOW_REPUBLISH: o->allow_republish = true; break;
		case OPT_VALID_DAYS:
			if (parse_long(arg, 1, 36500, &o->valid_days) < 0)
				return cli_usage_error("catalog-gen", "--valid-days "
						       "'%s': expected 1 to 36500", arg);
			break;
		case OPT_MAX_IMAGE:
			if (parse_long(arg, 1, 1 << 20, &n) < 0)
				return cli_usage_error("catalog-gen", "--max-image-size "
						       "'%s': expected a number of MiB", arg);
			o->max_image = (uint64_t)n << 20;
			break;
		case 'h': cli_help(stdout, &command); exit(0);
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); exit(0);
		default: return cli_usage_error("catalog-gen", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("catalog-gen", "expected one KERNELS_DIR");
	o->kernels_dir = argv[optind];
	return 0;
}

/* A published release must not change: compare with the catalog in OUT. */
static int
check_republish(const struct gen_opts *o, const struct catalog *cat,
		struct dv_err *e)
{
	char *path = fs_join(o->out_dir, "catalog.json");
	struct catalog old;
	int rc = 0;

	if (o->allow_republish || !fs_is_file(path) ||
	    catalog_load(path, &old, NULL) < 0) {
		free(path);
		return 0;
	}
	for (size_t i = 0; i < old.nkernels && rc == 0; i++) {
		for (size_t j = 0; j < old.kernels[i].nreleases && rc == 0; j++) {
			const struct kernel *ok = &old.kernels[i].releases[j];
			const struct catalog_kernel *nk = catalog_find(cat, ok->name);
			for (size_t r = 0; nk && r < nk->nreleases && rc == 0; r++) {
				const struct kernel *k = &nk->releases[r];
				if (strcmp(k->version, ok->version))
					continue;
				for (size_t v = 0; v < k->nvariants && rc == 0; v++) {
					const struct kernel_variant *ov =
						kernel_variant(ok, k->variants[v].name);
					if (ov && strcmp(ov->image.sha256,
							 k->variants[v].image.sha256))
						rc = dv_errf(e, "%s/%s/%s: variant '%s' changed "
							     "after it was published in '%s'; "
							     "publish a new version, or pass "
							     "--allow-republish",
							     o->kernels_dir, k->name,
							     k->version, k->variants[v].name,
							     path);
				}
			}
		}
	}
	catalog_release(&old);
	free(path);
	return rc;
}

static int
write_catalog(const struct gen_opts *o, struct catalog *cat, const char *out,
	      struct dv_err *e)
{
	struct sigkey *key = NULL;
	unsigned char sig[SIG_LEN];
	char *json = NULL, *path = fs_join(out, "catalog.json");
	char *sigpath = fs_join(out, "catalog.json.sig");
	char id[KEYID_HEX];
	int rc = -1;

	if (o->key_path) {
		if (!(key = sigkey_load(o->key_path, e)))
			goto out;
		sigkey_id(key, id);
		cat->key = xstrdup(id);
	}
	json = catalog_dump(cat);
	if (fs_write_atomic(path, json, strlen(json), 0644, e) < 0)
		goto out;
	if (key && (sigkey_sign(key, json, strlen(json), sig, e) < 0 ||
		    fs_write_atomic(sigpath, sig, SIG_LEN, 0644, e) < 0))
		goto out;
	rc = 0;
out:
	sigkey_free(key);
	free(json);
	free(path);
	free(sigpath);
	return rc;
}

static int
set_times(const struct gen_opts *o, struct catalog *cat, struct dv_err *e)
{
	char buf[RFC3339_LEN];
	time_t t;

	if (build_time(&t, e) < 0)
		return -1;
	cat->format = CATALOG_FORMAT;
	cat->serial = (long long)t;
	rfc3339_format(t, buf);
	cat->generated = xstrdup(buf);
	rfc3339_format(t + (time_t)o->valid_days * 86400, buf);
	cat->expires = xstrdup(buf);
	cat->toolchains = jv_array();
	return 0;
}

static int
generate(const struct gen_opts *o, struct catalog *cat, struct dv_err *e)
{
	char *staging = NULL;
	int rc = -1;

	if (check_republish(o, cat, e) < 0 || set_times(o, cat, e) < 0)
		return -1;
	if (fs_staging_dir(o->out_dir, &staging, e) < 0)
		return -1;
	if (write_packages(o, cat, staging, e) < 0 ||
	    write_catalog(o, cat, staging, e) < 0 ||
	    write_site(o, cat, staging, e) < 0 ||
	    fs_replace_dir(staging, o->out_dir, e) < 0)
		goto out;
	rc = 0;
out:
	fs_rm_rf(staging, NULL);
	free(staging);
	return rc;
}

static size_t
count_packages(const struct catalog *cat, size_t *releases)
{
	size_t n = 0;

	*releases = 0;
	for (size_t i = 0; i < cat->nkernels; i++) {
		*releases += cat->kernels[i].nreleases;
		for (size_t j = 0; j < cat->kernels[i].nreleases; j++)
			n += cat->kernels[i].releases[j].nvariants;
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct gen_opts o = { .out_dir = "site", .valid_days = 90,
			      .max_image = 512ULL << 20 };
	struct catalog cat = { 0 };
	struct dv_err e = { "" };
	size_t releases, packages;
	int rc;

	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc;
	rc = scan_kernels(&o, &cat, &e);
	for (size_t i = 0; i < cat.warnings.n; i++)
		fprintf(stderr, "catalog-gen: warning: %s\n", cat.warnings.v[i]);
	if (rc == 0 && !o.check_only)
		rc = generate(&o, &cat, &e);
	if (rc < 0) {
		fprintf(stderr, "catalog-gen: %s\n", e.msg);
		catalog_release(&cat);
		return 1;
	}
	packages = count_packages(&cat, &releases);
	if (!o.quiet)
		printf("%s %zu kernel%s, %zu release%s, %zu package%s%s%s%s\n",
		       o.check_only ? "checked" : "rendered", cat.nkernels,
		       cat.nkernels == 1 ? "" : "s", releases,
		       releases == 1 ? "" : "s", packages, packages == 1 ? "" : "s",
		       o.check_only ? "" : " into ", o.check_only ? "" : o.out_dir,
		       cat.key ? " (signed)" : "");
	catalog_release(&cat);
	return 0;
}
