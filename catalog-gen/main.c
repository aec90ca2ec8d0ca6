/*
 * catalog-gen [-k KEY] [-o OUT] [--base-url URL] [--check] [--full] KERNELS_DIR
 *
 * Renders a kernels/ tree into a static catalog: catalog.json (+ .sig),
 * packages under pkg/, the HTML pages and the search index.  Everything is
 * checked before anything is written; what is written goes into a staging
 * directory beside OUT and is swapped in at the end (output.c), so a failed
 * run leaves the previous catalog as it was.  A kernel whose inputs did not
 * change since the last run is taken from OUT instead of being made again.
 */
#include <errno.h>
#include <getopt.h>
#include <unistd.h>
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
       OPT_MAX_IMAGE, OPT_FULL, OPT_TEMPLATES, OPT_LIST_OPTIONS };

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
	{ OPT_FULL, "full", NULL,
	  "render everything; reuse nothing from the previous output" },
	{ OPT_TEMPLATES, "templates", "DIR",
	  "use the site templates in DIR (default: $DIVER_TEMPLATES, or the "
	  "installed ones)" },
	{ 'j', "jobs", "N", "use N threads (default: the number of CPUs)" },
	{ 'q', "quiet", NULL, "print only warnings and errors" },
	{ 'v', "verbose", NULL, "also print how long each step took" },
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
		case 'v': o->verbose = true; break;
		case OPT_BASE_URL: o->base_url = arg; break;
		case OPT_CHECK: o->check_only = true; break;
		case OPT_ALLOW_REPUBLISH: o->allow_republish = true; break;
		case OPT_FULL: o->full = true; break;
		case OPT_TEMPLATES: o->templates = arg; break;
		case 'j':
			if (parse_long(arg, 1, 64, &n) < 0)
				return cli_usage_error("catalog-gen", "--jobs '%s': "
						       "expected 1 to 64", arg);
			o->jobs = (int)n;
			break;
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

static int
republished(const struct gen_opts *o, const char *where, const char *name,
	    const char *version, const char *variant, struct dv_err *e)
{
	return dv_errf(e, "%s/%s/%s: variant '%s' changed after it was published "
		       "in '%s'; publish a new version, or pass --allow-republish",
		       o->kernels_dir, name, version, variant, where);
}

/* A published release must not change: compare with what OUT has. */
static int
check_against_cache(const struct gen_opts *o, const struct cache *c,
		    const struct entry *entries, size_t n, struct dv_err *e)
{
	char *where = fs_join(o->out_dir, "catalog.json");
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct entry *old = entries[i].fresh ?
			cache_find(c, entries[i].name) : NULL;
		for (size_t r = 0; old && r < entries[i].nrels && rc == 0; r++) {
			struct release_state *nr = &entries[i].rels[r];
			for (size_t k = 0; k < old->nrels && rc == 0; k++) {
				struct release_state *or = &old->rels[k];
				if (strcmp(or->version, nr->version))
					continue;
				for (size_t v = 0; v < nr->nvariants && rc == 0; v++) {
					struct variant_state *ov = release_variant(
						or, nr->variants[v].name);
					if (ov && strcmp(ov->image_sha256,
							 nr->variants[v].image_sha256))
						rc = republished(o, where, entries[i].name,
								 nr->version,
								 ov->name, e);
				}
			}
		}
	}
	free(where);
	return rc;
}

static int
check_against_catalog(const struct gen_opts *o, const struct entry *entries,
		      size_t n, struct dv_err *e)
{
	char *path = fs_join(o->out_dir, "catalog.json");
	struct catalog old;
	int rc = 0;

	if (!fs_is_file(path) || catalog_load(path, &old, NULL) < 0) {
		free(path);
		return 0;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct catalog_kernel *ok = catalog_find(&old, entries[i].name);
		const struct catalog_kernel *nk = &entries[i].kernel;
		for (size_t r = 0; ok && r < nk->nreleases && rc == 0; r++) {
			const struct kernel *k = &nk->releases[r];
			for (size_t j = 0; j < ok->nreleases && rc == 0; j++) {
				if (strcmp(ok->releases[j].version, k->version))
					continue;
				for (size_t v = 0; v < k->nvariants && rc == 0; v++) {
					const struct kernel_variant *ov = kernel_variant(
						&ok->releases[j], k->variants[v].name);
					if (ov && strcmp(ov->image.sha256,
							 k->variants[v].image.sha256))
						rc = republished(o, path, k->name,
								 k->version, ov->name, e);
				}
			}
		}
	}
	catalog_release(&old);
	free(path);
	return rc;
}

static int
set_head(const struct gen_opts *o, struct catalog *head, struct sigkey **key,
	 struct dv_err *e)
{
	char buf[RFC3339_LEN], id[KEYID_HEX];
	time_t t;

	if (build_time(&t, e) < 0)
		return -1;
	head->format = CATALOG_FORMAT;
	head->serial = (long long)t;
	rfc3339_format(t, buf);
	head->generated = xstrdup(buf);
	rfc3339_format(t + (time_t)o->valid_days * 86400, buf);
	head->expires = xstrdup(buf);
	if (o->key_path) {
		if (!(*key = sigkey_load(o->key_path, e)))
			return -1;
		sigkey_id(*key, id);
		head->key = xstrdup(id);
	}
	return 0;
}

/*
 * catalog.json with one kernel per line, from the lines each kernel keeps
 * in the cache: the header, "kernels", then "toolchains" (one a line too).
 */
static void
catalog_json(const struct catalog *head, const struct entry *entries, size_t n,
	     const char *toolchains, struct strbuf *out)
{
	jv *h = jv_object();
	char *s;

	jv_set(h, "format", jv_integer(head->format));
	jv_set(h, "serial", jv_integer(head->serial));
	jv_set(h, "generated", jv_string(head->generated));
	jv_set(h, "expires", jv_string(head->expires));
	if (head->key)
		jv_set(h, "key", jv_string(head->key));
	s = jv_dump(h, 0);
	jv_free(h);
	strbuf_add(out, s, strlen(s) - 1);
	strbuf_addstr(out, ",\"kernels\":[\n");
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(out, entries[i].catalog_line);
		strbuf_addstr(out, i + 1 < n ? ",\n" : "\n");
	}
	strbuf_addstr(out, "],\"toolchains\":[");
	strbuf_addstr(out, toolchains);
	strbuf_addstr(out, "]}\n");
	free(s);
}

static int
write_catalog(const struct catalog *head, struct sigkey *key,
	      const struct entry *entries, size_t n, const char *toolchains,
	      struct output *w, char sha[SHA256_HEX], struct dv_err *e)
{
	struct strbuf json = STRBUF_INIT;
	unsigned char sig[SIG_LEN];
	int rc;

	catalog_json(head, entries, n, toolchains, &json);
	sha256_buf_hex(json.buf, json.len, sha);
	rc = output_file(w, "catalog.json", json.buf, json.len, e);
	if (rc == 0 && key)
		rc = sigkey_sign(key, json.buf, json.len, sig, e) < 0 ? -1 :
		     output_file(w, "catalog.json.sig", sig, SIG_LEN, e);
	strbuf_release(&json);
	return rc;
}

struct render_job {
	const struct gen_opts *o;
	const struct site *site;
	struct output *w;
	struct entry *entries;
};

static int
make_packages(const struct gen_opts *o, struct entry *en, const struct output *w,
	      struct dv_err *e)
{
	for (size_t r = 0; r < en->kernel.nreleases; r++) {
		struct kernel *k = &en->kernel.releases[r];
		for (size_t v = 0; v < k->nvariants; v++) {
			struct kernel_variant *kv = &k->variants[v];
			struct variant_state *vs;
			if (!kv->has_package && write_package(o, k, kv, w, e) < 0)
				return -1;
			vs = release_variant(&en->rels[r], kv->name);
			free(vs->package.path);
			vs->package = kv->package;
			vs->package.path = xstrdup(kv->package.path);
		}
	}
	return 0;
}

/* Packages and page of one kernel that was read in this run. */
static void
render_one(size_t i, void *arg)
{
	struct render_job *j = arg;
	struct entry *en = &j->entries[i];
	struct strbuf page = STRBUF_INIT;
	char *rel;
	struct dv_err e;

	if (!en->fresh)
		return;
	if (make_packages(j->o, en, j->w, &e) < 0)
		goto fail;
	site_render_kernel(j->site, en, &page);
	sha256_buf_hex(page.buf, page.len, en->page_sha);
	rel = xasprintf("kernels/%s/index.html", en->name);
	en->page_staged = !output_unchanged(j->w, rel, en->page_sha);
	if (en->page_staged && output_stage(j->w, rel, page.buf, page.len, &e) < 0) {
		free(rel);
		goto fail;
	}
	free(rel);
	strbuf_release(&page);
	return;
fail:
	strbuf_release(&page);
	en->err = xmalloc(sizeof e);
	*en->err = e;
}

/* Record every kernel's page and packages in the output, in order. */
static void
record_kernels(struct output *w, const struct entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct entry *en = &entries[i];
		char *rel = xasprintf("kernels/%s/index.html", en->name);
		const struct out_file *old = manifest_find(&w->old, rel);
		if (en->fresh)
			output_record(w, rel, en->page_sha, en->page_staged);
		else if (old)
			output_record(w, rel, old->sha256, false);
		free(rel);
		for (size_t r = 0; r < en->nrels; r++)
			for (size_t v = 0; v < en->rels[r].nvariants; v++) {
				const struct file_ref *p = &en->rels[r].variants[v].package;
				output_record(w, p->path, p->sha256,
					      !output_unchanged(w, p->path, p->sha256));
			}
	}
}

static int
render(const struct gen_opts *o, const struct site *site, struct output *w,
       struct entry *entries, size_t n, struct dv_err *e)
{
	struct render_job j = { o, site, w, entries };
	int rc = 0;

	parallel_for(n, o->jobs, render_one, &j);
	for (size_t i = 0; i < n; i++) {
		if (entries[i].err && rc == 0) {
			*e = *entries[i].err;
			rc = -1;
		}
		free(entries[i].err);
		entries[i].err = NULL;
	}
	if (rc == 0)
		record_kernels(w, entries, n);
	return rc;
}

struct run {
	struct gen_opts o;
	struct site *site;
	struct cache cache;
	bool cache_usable;
	bool stale;                     /* every page must be made again */
	struct entry *entries;
	size_t n;
	struct catalog head;
	struct sigkey *key;
	size_t written, reused, ntoolchains;
	double ms[5];                   /* load, scan, render, shared, commit */
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Add the time since *t to r->ms[step] and restart the clock. */
static void
lap(struct run *r, int step, double *t)
{
	double n = now_ms();

	r->ms[step] += n - *t;
	*t = n;
}

/*
 * The tags whose pages may have changed: those of the kernels read in this
 * run, as they were and as they are, and those of kernels that are gone.
 */
static void
affected_tags(const struct run *r, struct strlist *tags)
{
	size_t k = 0;

	for (size_t i = 0; i < r->cache.n; i++) {
		const struct entry *old = &r->cache.entries[i];
		int cmp = 1;
		while (k < r->n && (cmp = strcmp(r->entries[k].name, old->name)) < 0)
			k++;
		if (cmp == 0 && !r->entries[k].fresh)
			continue;
		for (size_t t = 0; t < old->tags.n; t++)
			if (!strlist_has(tags, old->tags.v[t]))
				strlist_push(tags, old->tags.v[t]);
	}
	for (size_t i = 0; i < r->n; i++)
		for (size_t t = 0; r->entries[i].fresh && t < r->entries[i].tags.n; t++)
			if (!strlist_has(tags, r->entries[i].tags.v[t]))
				strlist_push(tags, r->entries[i].tags.v[t]);
}

static int
generate(struct run *r, struct dv_err *e)
{
	struct strlist tags = { 0 };
	struct output w = { 0 };
	struct strbuf cache = STRBUF_INIT, toolchains = STRBUF_INIT;
	char sha[SHA256_HEX];
	double t = now_ms();
	int rc = -1;

	if (set_head(&r->o, &r->head, &r->key, e) < 0 ||
	    output_begin(&w, r->o.out_dir, &r->cache.files, e) < 0 ||
	    render(&r->o, r->site, &w, r->entries, r->n, e) < 0)
		goto out;
	lap(r, 2, &t);
	if (!r->stale)
		affected_tags(r, &tags);
	if (site_write_shared(r->site, &r->head, r->entries, r->n,
			      r->stale ? NULL : &tags, &w, e) < 0 ||
	    toolchains_render(&r->o, &w, &toolchains, &r->ntoolchains, e) < 0 ||
	    write_catalog(&r->head, r->key, r->entries, r->n, toolchains.buf, &w,
			  sha, e) < 0)
		goto out;
	manifest_sort(&w.files);
	cache_dump(site_key(r->site), sha, r->entries, r->n, &w.files, &cache);
	if (output_stage(&w, CACHE_FILE, cache.buf, cache.len, e) < 0)
		goto out;
	lap(r, 3, &t);
	if (output_commit(&w, &r->written, e) < 0)
		goto out;
	lap(r, 4, &t);
	rc = 0;
out:
	output_end(&w);
	strbuf_release(&cache);
	strbuf_release(&toolchains);
	strlist_release(&tags);
	return rc;
}

static int
run(struct run *r, struct strlist *warnings, struct dv_err *e)
{
	double t = now_ms();

	if (!(r->site = site_load(&r->o, e)))
		return -1;
	if (!r->o.full && !r->o.check_only)
		cache_load(r->o.out_dir, &r->cache, &r->cache_usable);
	r->stale = !r->cache_usable || strcmp(r->cache.pages_key, site_key(r->site));
	lap(r, 0, &t);
	if (scan_kernels(&r->o, r->cache_usable ? &r->cache : NULL, r->stale,
			 &r->entries, &r->n, warnings, e) < 0)
		return -1;
	lap(r, 1, &t);
	for (size_t i = 0; i < r->n; i++)
		r->reused += !r->entries[i].fresh;
	if (!r->o.allow_republish &&
	    (r->cache_usable ? check_against_cache(&r->o, &r->cache, r->entries,
						   r->n, e) :
	     check_against_catalog(&r->o, r->entries, r->n, e)) < 0)
		return -1;
	if (r->o.check_only) {
		struct strbuf none = STRBUF_INIT;
		int rc = toolchains_render(&r->o, NULL, &none, &r->ntoolchains, e);
		strbuf_release(&none);
		return rc;
	}
	return generate(r, e);
}

static void
report(const struct run *r)
{
	size_t releases = 0, packages = 0;

	for (size_t i = 0; i < r->n; i++) {
		releases += r->entries[i].nrels;
		for (size_t j = 0; j < r->entries[i].nrels; j++)
			packages += r->entries[i].rels[j].nvariants;
	}
	printf("%s %zu kernel%s, %zu release%s, %zu package%s", r->o.check_only ?
	       "checked" : "rendered", r->n, r->n == 1 ? "" : "s", releases,
	       releases == 1 ? "" : "s", packages, packages == 1 ? "" : "s");
	if (r->ntoolchains)
		printf(", %zu toolchain%s", r->ntoolchains, r->ntoolchains == 1 ? "" : "s");
	if (!r->o.check_only)
		printf(" into %s%s; %zu file%s written, %zu kernel%s unchanged",
		       r->o.out_dir, r->key ? " (signed)" : "", r->written,
		       r->written == 1 ? "" : "s", r->reused,
		       r->reused == 1 ? "" : "s");
	printf("\n");
	if (r->o.verbose)
		printf("time: load %.1f ms, scan %.1f ms, packages and pages %.1f ms, "
		       "shared files %.1f ms, commit %.1f ms\n", r->ms[0], r->ms[1],
		       r->ms[2], r->ms[3], r->ms[4]);
}

static void
run_release(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		entry_release(&r->entries[i]);
	free(r->entries);
	cache_release(&r->cache);
	site_free(r->site);
	sigkey_free(r->key);
	free(r->head.generated);
	free(r->head.expires);
	free(r->head.key);
}

int
main(int argc, char **argv)
{
	struct run r = { .o = { .out_dir = "site", .valid_days = 90,
				.max_image = 512ULL << 20 } };
	struct strlist warnings = { 0 };
	struct dv_err e = { "" };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	r.o.jobs = cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
	clock_gettime(CLOCK_REALTIME, &r.o.started);
	if ((rc = parse_args(argc, argv, &r.o)) != 0)
		return rc;
	rc = run(&r, &warnings, &e);
	for (size_t i = 0; i < warnings.n; i++)
		fprintf(stderr, "catalog-gen: warning: %s\n", warnings.v[i]);
	strlist_release(&warnings);
	if (rc < 0)
		fprintf(stderr, "catalog-gen: %s\n", e.msg);
	else if (!r.o.quiet)
		report(&r);
	run_release(&r);
	return rc < 0 ? 1 : 0;
}
