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
#include "bundler-verify.h"
#include "bundler.h"
#include "catalog.h"
#include "cli.h"
#include "fetch.h"
#include "fs.h"
#include "strbuf.h"
#include "timefmt.h"

enum { OPT_ALL = 256, OPT_FROM, OPT_CATALOG_KEY, OPT_VALID_DAYS, OPT_SERIAL,
       OPT_LEVEL, OPT_SINCE, OPT_SPLIT, OPT_SITE, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ 'k', "key", "KEY", "sign the bundle with this private key" },
	{ 'o', "output", "FILE", "write the bundle to FILE (.dvb)" },
	{ OPT_FROM, "from", "SITE|URL", "the catalog to pack from: a directory or http(s) URL (default: site)" },
	{ OPT_ALL, "all", NULL, "pack every release of every kernel" },
	{ OPT_SITE, "site", NULL,
	  "with --all from a directory: also the HTML site, so the mirror can be browsed" },
	{ OPT_CATALOG_KEY, "catalog-key", "PUB",
	  "verify the source catalog with PUB (default: KEY's public half)" },
	{ OPT_VALID_DAYS, "valid-days", "N", "the bundle expires after N days (default 365)" },
	{ OPT_SERIAL, "serial", "N", "serial number (default: SOURCE_DATE_EPOCH or now)" },
	{ OPT_LEVEL, "level", "N", "zstd compression level 1-19 (default 3)" },
	{ OPT_SINCE, "since", "OLD",
	  "a delta: leave out the packages bundle OLD (or its BUNDLE.json) carried" },
	{ OPT_SPLIT, "split", "SIZE",
	  "write parts of at most SIZE (e.g. 700M, 4G), each signed and importable alone" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"bundler pack -k KEY -o FILE [--from SITE|URL] [--since OLD] [--split SIZE] REF...|--all",
	"Pack kernels (NAME[:VARIANT][@VERSION]) from a catalog into one signed\n"
	"bundle file to carry to a site without a network.  --since makes a delta\n"
	"on a bundle the site imported before; --split writes FILE as numbered\n"
	"parts (FILE.part1-of-N.dvb ...) for size-limited media.",
	options,
};

struct pack {
	const char *key_path, *out, *from, *catalog_key, *since;
	unsigned long long split;
	bool site;
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

/* "700M", "4G", "1048576" (bytes) */
static int
parse_split(const char *s, unsigned long long *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return -1;
	if (!strcmp(end, "K") || !strcmp(end, "KiB"))
		v *= 1024;
	else if (!strcmp(end, "M") || !strcmp(end, "MiB"))
		v *= 1024 * 1024;
	else if (!strcmp(end, "G") || !strcmp(end, "GiB"))
		v *= 1024.0 * 1024 * 1024;
	else if (*end)
		return -1;
	if (v < 64 * 1024 || v > 1e18)
		return -1;
	*out = (unsigned long long)v;
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
		case OPT_SITE: p->site = true; break;
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
		case OPT_SINCE: p->since = arg; break;
		case OPT_SPLIT:
			if (parse_split(arg, &p->split) < 0)
				return cli_usage_error("bundler pack", "--split '%s': "
						       "expected a size like 700M or 4G "
						       "(at least 64K)", arg);
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
	if (p->site && (!p->all || fetch_is_url(p->from)))
		return cli_usage_error("bundler pack", "--site needs --all and a catalog "
				       "directory: the pages list every kernel");
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
	bool url = fetch_is_url(p->from);
	char *path = url ? fetch_join(p->from, "catalog.json") : fs_join(p->from, "catalog.json");
	char *sigpath = url ? fetch_join(p->from, "catalog.json.sig")
			    : fs_join(p->from, "catalog.json.sig");
	struct strbuf json = STRBUF_INIT, sig = STRBUF_INIT;
	struct pubkey *pub = NULL;
	bool have_sig = url || fs_exists(sigpath);
	int rc = -1;

	if ((url ? fetch_to_buf(path, CATALOG_JSON_MAX, &json, e)
		 : fs_read_file(path, CATALOG_JSON_MAX, &json, e)) < 0 ||
	    catalog_parse(json.buf, json.len, path, cat, e) < 0 ||
	    (have_sig && (url ? fetch_to_buf(sigpath, 4096, &sig, e)
			      : fs_read_file(sigpath, 4096, &sig, e)) < 0))
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

/* The closure: every toolchain the packed releases name, when cat has it. */
static int
add_toolchains(const struct catalog *cat, struct catalog *sub, struct dv_err *e)
{
	for (size_t i = 0; i < sub->nkernels; i++)
		for (size_t j = 0; j < sub->kernels[i].nreleases; j++) {
			const struct kernel *k = &sub->kernels[i].releases[j];
			const jv *t, *have;
			struct file_ref pkg, dummy;
			if (catalog_toolchain(cat, k->toolchain_name, k->toolchain_version,
					      &t, &pkg, e) < 0)
				return -1;
			free(pkg.path);
			if (!t || catalog_toolchain(sub, k->toolchain_name,
						    k->toolchain_version, &have,
						    &dummy, e) < 0)
				continue;
			free(dummy.path);
			if (!have)
				jv_push(sub->toolchains, jv_deep_copy(t));
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
	return rc < 0 ? -1 : add_toolchains(cat, sub, e);
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

/* 1 when the base bundle carried this exact file. */
static int
in_base(const struct bundle_manifest *base, const struct file_ref *pkg)
{
	for (size_t i = 0; base && i < base->nmembers; i++)
		if (!strcmp(base->members[i].path, pkg->path) &&
		    !strcmp(base->members[i].sha256, pkg->sha256))
			return 1;
	return 0;
}

/* A package from an http(s) catalog, downloaded (and checked) into tmp. */
static char *
download(const struct pack *p, const char *tmp, const struct kernel *k,
	 const struct file_ref *pkg, struct dv_err *e)
{
	char *url = fetch_join(p->from, pkg->path);
	char *dest = xasprintf("%s/%s.tar.zst", tmp, pkg->sha256);
	char *label = xasprintf("%s %s", k->name, k->version);
	struct fetch_opts o = { label, pkg->sha256, pkg->size, pkg->size, true };

	if (fetch_to_file(url, dest, &o, e) < 0) {
		free(dest);
		dest = NULL;
	}
	free(label);
	free(url);
	return dest;
}

static int
add_packages(const struct pack *p, const struct catalog *sub,
	     const struct bundle_manifest *base, const char *tmp,
	     struct members *m, struct dv_err *e)
{
	for (size_t i = 0; i < sub->nkernels; i++)
		for (size_t j = 0; j < sub->kernels[i].nreleases; j++) {
			const struct kernel *k = &sub->kernels[i].releases[j];
			for (size_t v = 0; v < k->nvariants; v++) {
				const struct file_ref *pkg = &k->variants[v].package;
				struct bundle_source s = { .path = pkg->path,
					.known = true, .size = pkg->size };
				char *file;
				if (in_base(base, pkg))
					continue;
				file = tmp ? download(p, tmp, k, pkg, e)
					   : fs_join(p->from, pkg->path);
				if (!file)
					return -1;
				s.file = own(m, file);
				memcpy(s.sha256, pkg->sha256, SHA256_HEX);
				add_source(m, s);
			}
		}
	for (size_t i = 0; i < jv_len(sub->toolchains); i++) {
		const jv *t = jv_at(sub->toolchains, i), *entry;
		struct file_ref pkg;
		struct bundle_source s = { .known = true };
		struct kernel k = { .name = (char *)jv_str(jv_get(t, "name")),
				    .version = (char *)jv_str(jv_get(t, "version")) };
		char *file;
		if (catalog_toolchain(sub, k.name, k.version, &entry, &pkg, e) < 0)
			return -1;
		if (in_base(base, &pkg)) {
			free(pkg.path);
			continue;
		}
		file = tmp ? download(p, tmp, &k, &pkg, e) : fs_join(p->from, pkg.path);
		if (!file) {
			free(pkg.path);
			return -1;
		}
		s.file = own(m, file);
		s.path = own(m, pkg.path);
		s.size = pkg.size;
		memcpy(s.sha256, pkg.sha256, SHA256_HEX);
		add_source(m, s);
	}
	return 0;
}

/*
 * --site: every file of the catalog directory that is not the catalog or a
 * package (the pages, assets, search index), in sorted order.
 */
static int
add_site(const char *dir, const char *rel, struct members *m, struct dv_err *e)
{
	char *path = rel ? fs_join(dir, rel) : xstrdup(dir), **names;
	int rc = 0;

	if (fs_list_dir(path, &names, NULL, e) < 0) {
		free(path);
		return -1;
	}
	for (char **n = names; *n && rc == 0; n++) {
		char *r = rel ? fs_join(rel, *n) : xstrdup(*n), *full = fs_join(dir, r);
		if ((*n)[0] == '.' || (!rel && (!strcmp(*n, "pkg") ||
						!strncmp(*n, "catalog.json", 12))))
			;
		else if (fs_is_dir(full))
			rc = add_site(dir, r, m, e);
		else if (fs_is_file(full))
			add_source(m, (struct bundle_source){ .path = own(m, xstrdup(r)),
							      .file = own(m, xstrdup(full)) });
		free(r);
		free(full);
	}
	fs_names_free(names);
	free(path);
	return rc;
}

/* --since: a bundle, or the BUNDLE.json taken out of one. */
static int
load_base(const char *since, struct bundle_manifest *base, struct dv_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	if (fs_read_file(since, BUNDLE_MANIFEST_MAX, &sb, NULL) == 0 && sb.len &&
	    sb.buf[0] == '{')
		rc = bundle_manifest_parse(sb.buf, sb.len, since, base, e);
	else
		rc = bundle_peek(since, base, e);
	strbuf_release(&sb);
	return rc < 0 ? dv_err_prefix(e, "--since") : 0;
}

/* FILE.dvb -> FILE.partK-of-N.dvb */
static char *
part_name(const char *out, int k, int n)
{
	size_t len = strlen(out);

	if (len > 4 && !strcmp(out + len - 4, ".dvb"))
		len -= 4;
	return xasprintf("%.*s.part%d-of-%d.dvb", (int)len, out, k, n);
}

static int
write_bundle(const char *out, struct sigkey *key, const struct bundle_header *h,
	     struct bundle_source *v, size_t n, struct dv_err *e)
{
	struct bundle_header hh = *h;
	struct bar bar;
	char *tmp;
	int fd = fs_temp_open(out, &tmp, e), rc;

	if (fd < 0)
		return -1;
	bar_start(&bar, out);
	hh.progress = progress_cb;
	hh.progress_arg = &bar;
	rc = bundle_write(fd, key, &hh, v, n, e);
	bar_end(&bar);
	if (rc < 0) {
		fs_temp_abort(fd, tmp);
		return -1;
	}
	return fs_temp_commit(fd, tmp, out, 0644, e);
}

/*
 * --split: the packages in order, a new part whenever the next one would
 * pass the size; every part carries the catalog and its signature, so
 * each is a bundle that verifies alone.  Returns the number of parts.
 */
static int
write_parts(const struct pack *p, struct sigkey *key, struct bundle_header *h,
	    struct members *m, struct dv_err *e)
{
	unsigned long long fixed = m->v[0].len + m->v[1].len + 16 * 1024, used = 0;
	size_t *start = xcalloc(m->n + 1, sizeof *start), nparts = 0;
	char id[SHA256_HEX];
	int rc = 0;

	for (size_t i = 2; i < m->n; i++) {
		if (fixed + m->v[i].size > p->split) {
			free(start);
			return dv_errf(e, "package '%s' (%llu bytes) does not fit in "
				       "a part of %llu bytes; use a larger --split",
				       m->v[i].path, (unsigned long long)m->v[i].size,
				       p->split);
		}
		if (nparts == 0 || fixed + used + m->v[i].size > p->split) {
			start[nparts++] = i;
			used = 0;
		}
		used += m->v[i].size;
	}
	if (nparts == 0)
		start[nparts++] = 2;
	start[nparts] = m->n;
	sha256_buf_hex(m->v[0].data, m->v[0].len, id);
	id[BUNDLE_SPLIT_ID - 1] = '\0';
	h->split_id = id;
	h->parts = (int)nparts;
	for (size_t k = 0; k < nparts && rc == 0; k++) {
		size_t count = start[k + 1] - start[k];
		struct bundle_source *v = xcalloc(count + 2, sizeof *v);
		char *name = part_name(p->out, (int)k + 1, (int)nparts);
		v[0] = m->v[0];
		v[1] = m->v[1];
		memcpy(v + 2, m->v + start[k], count * sizeof *v);
		h->part = (int)k + 1;
		rc = write_bundle(name, key, h, v, count + 2, e);
		if (rc == 0)
			printf("  %s: %zu package%s\n", name, count, count == 1 ? "" : "s");
		free(name);
		free(v);
	}
	free(start);
	return rc < 0 ? -1 : (int)nparts;
}

/* Scratch space for packages downloaded from an http(s) catalog. */
static char *
make_tmpdir(struct dv_err *e)
{
	const char *t = getenv("TMPDIR");
	char *dir = xasprintf("%s/bundler-XXXXXX", t && *t ? t : "/tmp");

	if (!mkdtemp(dir)) {
		dv_errno(e, "cannot make a scratch directory in %s", t && *t ? t : "/tmp");
		free(dir);
		return NULL;
	}
	return dir;
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
	char keyid[KEYID_HEX], *json = NULL, *tmp = NULL;
	struct bundle_manifest base = { 0 };
	struct sigkey *key = sigkey_load(p->key_path, e);
	int rc = -1;

	if (!key || build_time(&h.created, e) < 0)
		goto out;
	h.serial = p->have_serial ? p->serial : (long long)h.created;
	h.expires = h.created + (time_t)p->valid_days * 86400;
	sigkey_id(key, keyid);
	if (p->since) {
		if (load_base(p->since, &base, e) < 0)
			goto out;
		if (base.serial >= h.serial) {
			dv_errf(e, "--since '%s' has serial %lld; a delta on it needs a "
				"higher one (--serial)", p->since, base.serial);
			goto out;
		}
		h.base_serial = base.serial;
		h.base_manifest = base.hash;
	}
	if (fetch_is_url(p->from) && !(tmp = make_tmpdir(e)))
		goto out;
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
	if (add_packages(p, &sub, p->since ? &base : NULL, tmp, &m, e) < 0 ||
	    (p->site && add_site(p->from, NULL, &m, e) < 0))
		goto out;
	if (p->split) {
		int parts = write_parts(p, key, &h, &m, e);
		if (parts < 0)
			goto out;
		printf("packed %zu package%s%s into %d part%s (serial %lld, key %s)\n",
		       m.n - 2, m.n == 3 ? "" : "s", p->since ? " (a delta)" : "",
		       parts, parts == 1 ? "" : "s", h.serial, keyid);
	} else {
		if (write_bundle(p->out, key, &h, m.v, m.n, e) < 0)
			goto out;
		printf("packed %zu package%s%s into %s (serial %lld, key %s)\n", m.n - 2,
		       m.n == 3 ? "" : "s", p->since ? " (a delta)" : "", p->out,
		       h.serial, keyid);
	}
	rc = 0;
out:
	if (tmp) {
		fs_rm_rf(tmp, NULL);
		free(tmp);
	}
	bundle_manifest_release(&base);
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
