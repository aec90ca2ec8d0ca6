/*
 * bundler pack -k KEY -o FILE [--from SITE] [--catalog-key PUB] REF...|--all
 *
 * Selects releases from a catalog (each REF is NAME[:VARIANT][@VERSION]; a
 * release always brings its default variant along), writes a catalog.json
 * holding just them, signs it, and packs it with their packages into one
 * signed bundle.  Package hashes come from the verified catalog and are
 * checked while the packages are compressed, so every file is read once.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "bundler.h"
#include "catalog.h"
#include "cli.h"
#include "fs.h"
#include "strbuf.h"
#include "timefmt.h"

enum { OPT_ALL = 256, OPT_FROM, OPT_CATALOG_KEY, OPT_VALID_DAYS, OPT_SERIAL,
       OPT_LEVEL, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ 'k', "key", "KEY", "sign the bundle with this private key" },
	{ 'o', "output", "FILE", "write the bundle to FILE (.dvb)" },
	{ OPT_FROM, "from", "SITE", "the catalog to pack from (default: site)" },
	{ OPT_ALL, "all", NULL, "pack every release of every kernel" },
	{ OPT_CATALOG_KEY, "catalog-key", "PUB",
	  "verify the source catalog with PUB (default: KEY's public half)" },
	{ OPT_VALID_DAYS, "valid-days", "N", "the bundle expires after N days (default 365)" },
	{ OPT_SERIAL, "serial", "N", "serial number (default: SOURCE_DATE_EPOCH or now)" },
	{ OPT_LEVEL, "level", "N", "zstd compression level 1-19 (default 3)" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"bundler pack -k KEY -o FILE [--from SITE] REF...|--all",
	"Pack kernels (NAME[:VARIANT][@VERSION]) from a catalog into one signed\n"
	"bundle file to carry to a site without a network.",
	options,
};

struct pack {
	const char *key_path, *out, *from, *catalog_key;
	char **refs;
	size_t nrefs;
	bool all;
	long valid_days, level;
	long long serial;
	bool have_serial;
};

static int
number(const char *opt, const char *s, long long min, long long max,
       long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno || *end || end == s || *out < min || *out > max)
		return cli_usage_error("bundler pack", "%s '%s': expected a number "
				       "from %lld to %lld", opt, s, min, max);
	return 0;
}

static int
parse_args(int argc, char **argv, struct pack *p)
{
	long long n;
	char *arg;
	int c;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'k': p->key_path = arg; break;
		case 'o': p->out = arg; break;
		case OPT_FROM: p->from = arg; break;
		case OPT_ALL: p->all = true; break;
		case OPT_CATALOG_KEY: p->catalog_key = arg; break;
		case OPT_VALID_DAYS:
			if (number("--valid-days", arg, 1, 36500, &n))
				return 2;
			p->valid_days = (long)n;
			break;
		case OPT_SERIAL:
			if (number("--serial", arg, 0, (1LL << 62), &n))
				return 2;
			p->serial = n;
			p->have_serial = true;
			break;
		case OPT_LEVEL:
			if (number("--level", arg, 1, 19, &n))
				return 2;
			p->level = (long)n;
			break;
		case 'h': cli_help(stdout, &command); exit(0);
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); exit(0);
		default: return cli_usage_error("bundler pack", "bad option");
		}
	}
	p->refs = argv + optind;
	p->nrefs = (size_t)(argc - optind);
	if (!p->key_path || !p->out)
		return cli_usage_error("bundler pack", "-k KEY and -o FILE are required");
	if (p->all == (p->nrefs > 0))
		return cli_usage_error("bundler pack", "give either references or --all");
	return 0;
}

/*
 * Load SITE/catalog.json and check its signature: with --catalog-key, or
 * else with the public half of the packing key.
 */
static int
load_source(const struct pack *p, struct sigkey *key, struct catalog *cat,
	    struct dv_err *e)
{
	char *path = fs_join(p->from, "catalog.json");
	char *sigpath = fs_join(p->from, "catalog.json.sig");
	struct strbuf json = STRBUF_INIT, sig = STRBUF_INIT;
	struct pubkey *pub = NULL;
	bool have_sig = fs_exists(sigpath);
	int rc = -1;

	if (fs_read_file(path, CATALOG_JSON_MAX, &json, e) < 0 ||
	    catalog_parse(json.buf, json.len, path, cat, e) < 0 ||
	    (have_sig && fs_read_file(sigpath, 4096, &sig, e) < 0))
		goto out;
	pub = p->catalog_key ? pubkey_load(p->catalog_key, e) : sigkey_public(key);
	if (!pub)
		goto out;
	rc = catalog_check_signature(cat, json.buf, json.len,
				     have_sig ? (unsigned char *)sig.buf : NULL,
				     sig.len, &pub, 1, path, e);
	if (rc < 0 && !p->catalog_key && cat->key)
		dv_err_prefix(e, "%s; if another key signed it, pass --catalog-key "
			      "PUB", "cannot trust the source catalog");
out:
	pubkey_free(pub);
	strbuf_release(&json);
	strbuf_release(&sig);
	free(path);
	free(sigpath);
	return rc;
}

/* A deep copy of k holding only the variants marked in keep. */
static int
copy_release(const struct kernel *k, const bool *keep, struct kernel *out,
	     struct dv_err *e)
{
	jv *j = kernel_to_jv(k, true), *vars = jv_get(j, "variants");
	int rc;

	for (size_t i = 0; i < k->nvariants; i++)
		if (!keep[i])
			jv_del(vars, k->variants[i].name);
	rc = kernel_from_jv(j, "catalog", KERNEL_IN_CATALOG, out, e);
	jv_free(j);
	return rc;
}

struct pick {
	const struct kernel *rel;
	bool *keep;              /* per variant */
};

static struct pick *
pick_for(struct pick **picks, size_t *n, const struct kernel *rel)
{
	for (size_t i = 0; i < *n; i++)
		if ((*picks)[i].rel == rel)
			return &(*picks)[i];
	*picks = xrealloc(*picks, (*n + 1) * sizeof **picks);
	(*picks)[*n].rel = rel;
	(*picks)[*n].keep = xcalloc(rel->nvariants, sizeof(bool));
	(*picks)[*n].keep[0] = true;          /* default always comes along */
	return &(*picks)[(*n)++];
}

static int
select_releases(const struct pack *p, const struct catalog *cat,
		struct pick **picks, size_t *n, struct dv_err *e)
{
	const struct kernel_variant *var;
	const struct kernel *rel;
	struct ref r;

	for (size_t i = 0; p->all && i < cat->nkernels; i++)
		for (size_t j = 0; j < cat->kernels[i].nreleases; j++) {
			struct pick *pk = pick_for(picks, n, &cat->kernels[i].releases[j]);
			for (size_t v = 0; v < pk->rel->nvariants; v++)
				pk->keep[v] = true;
		}
	for (size_t i = 0; i < p->nrefs; i++) {
		if (ref_parse(p->refs[i], &r, e) < 0 ||
		    catalog_resolve(cat, &r, &rel, &var, e) < 0)
			return -1;
		pick_for(picks, n, rel)->keep[var - rel->variants] = true;
	}
	return 0;
}

static int
build_subset(const struct pack *p, const struct catalog *cat, struct catalog *sub,
	     const struct bundle_header *h, const char *keyid, struct dv_err *e)
{
	struct pick *picks = NULL;
	size_t n = 0;
	char buf[RFC3339_LEN];
	int rc = select_releases(p, cat, &picks, &n, e);

	memset(sub, 0, sizeof *sub);
	sub->format = CATALOG_FORMAT;
	sub->serial = h->serial;
	rfc3339_format(h->created, buf);
	sub->generated = xstrdup(buf);
	rfc3339_format(h->expires, buf);
	sub->expires = xstrdup(buf);
	sub->key = xstrdup(keyid);
	sub->toolchains = jv_array();
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct kernel k;
		rc = copy_release(picks[i].rel, picks[i].keep, &k, e);
		if (rc == 0 && (rc = catalog_add_release(sub, &k, e)) < 0)
			kernel_release(&k);
	}
	for (size_t i = 0; i < n; i++)
		free(picks[i].keep);
	free(picks);
	return rc;
}

struct members {
	struct bundle_source *v;
	size_t n;
	struct strlist owned;    /* strings the sources point into */
};

static void
add_source(struct members *m, struct bundle_source s)
{
	m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
	m->v[m->n++] = s;
}

static const char *
own(struct members *m, char *s)
{
	strlist_push(&m->owned, s);
	free(s);
	return m->owned.v[m->owned.n - 1];
}

static void
add_packages(const struct pack *p, const struct catalog *sub, struct members *m)
{
	for (size_t i = 0; i < sub->nkernels; i++)
		for (size_t j = 0; j < sub->kernels[i].nreleases; j++) {
			const struct kernel *k = &sub->kernels[i].releases[j];
			for (size_t v = 0; v < k->nvariants; v++) {
				const struct file_ref *pkg = &k->variants[v].package;
				struct bundle_source s = { .path = pkg->path,
					.file = own(m, fs_join(p->from, pkg->path)),
					.known = true, .size = pkg->size };
				memcpy(s.sha256, pkg->sha256, SHA256_HEX);
				add_source(m, s);
			}
		}
}

static int
write_bundle(const struct pack *p, struct sigkey *key,
	     const struct bundle_header *h, struct members *m, struct dv_err *e)
{
	char *tmp;
	int fd = fs_temp_open(p->out, &tmp, e);

	if (fd < 0)
		return -1;
	if (bundle_write(fd, key, h, m->v, m->n, e) < 0) {
		fs_temp_abort(fd, tmp);
		return -1;
	}
	return fs_temp_commit(fd, tmp, p->out, 0644, e);
}

static int
pack(const struct pack *p, struct dv_err *e)
{
	struct catalog cat = { 0 }, sub = { 0 };
	struct members m = { 0 };
	struct bundle_header h = { .refs = (const char *const *)p->refs,
				   .nrefs = p->nrefs, .all = p->all,
				   .level = (int)p->level };
	unsigned char sig[SIG_LEN];
	char keyid[KEYID_HEX], *json = NULL;
	struct sigkey *key = sigkey_load(p->key_path, e);
	int rc = -1;

	if (!key || build_time(&h.created, e) < 0)
		goto out;
	h.serial = p->have_serial ? p->serial : (long long)h.created;
	h.expires = h.created + (time_t)p->valid_days * 86400;
	sigkey_id(key, keyid);
	if (load_source(p, key, &cat, e) < 0 ||
	    build_subset(p, &cat, &sub, &h, keyid, e) < 0)
		goto out;
	json = catalog_dump(&sub);
	if (sigkey_sign(key, json, strlen(json), sig, e) < 0)
		goto out;
	add_source(&m, (struct bundle_source){ .path = "catalog.json", .data = json,
					       .len = strlen(json) });
	add_source(&m, (struct bundle_source){ .path = "catalog.json.sig",
					       .data = sig, .len = SIG_LEN });
	add_packages(p, &sub, &m);
	if (write_bundle(p, key, &h, &m, e) < 0)
		goto out;
	printf("packed %zu package%s into %s (serial %lld, key %s)\n", m.n - 2,
	       m.n == 3 ? "" : "s", p->out, h.serial, keyid);
	rc = 0;
out:
	free(m.v);
	strlist_release(&m.owned);
	free(json);
	catalog_release(&cat);
	catalog_release(&sub);
	sigkey_free(key);
	return rc;
}

int
cmd_pack(int argc, char **argv)
{
	struct pack p = { .from = "site", .valid_days = 365, .level = 3 };
	struct dv_err e = { "" };
	int rc = parse_args(argc, argv, &p);

	if (rc)
		return rc;
	return pack(&p, &e) < 0 ? fail(e.msg) : 0;
}
