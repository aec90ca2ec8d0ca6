/*
 * sources.c — the sources a user added (config/sources.json) and the
 * verified copy of each one's catalog (data/sources/NAME/).  A catalog is
 * used only after its signature verified with a trusted key (unless the
 * source was added --insecure), its serial is not older than one seen
 * before, and it has not expired.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "diver.h"
#include "fetch.h"
#include "fs.h"
#include "search_index.h"
#include "strbuf.h"

#define SOURCES_MAX (1 << 20)

static char *
sources_path(const struct home *h)
{
	return fs_join(h->config, "sources.json");
}

static char *
state_dir(const struct home *h, const char *name)
{
	return xasprintf("%s/sources/%s", h->data, name);
}

static int
parse_source(const jv *o, const char *path, size_t i, struct source *s,
	     struct dv_err *e)
{
	const char *name = jv_str(jv_get(o, "name")), *kind = jv_str(jv_get(o, "kind"));
	const char *loc = jv_str(jv_get(o, "location")), *root = jv_str(jv_get(o, "root"));

	if (!name || !kind || !loc || !root || !name_valid(name))
		return dv_errf(e, "%s: sources[%zu]: expected name, kind, location "
			       "and root; fix or remove the file", path, i);
	s->name = xstrdup(name);
	s->kind = xstrdup(kind);
	s->location = xstrdup(loc);
	s->root = xstrdup(root);
	s->insecure = jv_bool(jv_get(o, "insecure"));
	return 0;
}

static void
load_serial(const struct home *h, struct source *s)
{
	char *dir = state_dir(h, s->name), *path = fs_join(dir, "state.json");
	jv *v = fs_is_file(path) ? jv_load_file(path, 65536, NULL) : NULL;

	s->serial = v ? jv_int(jv_get(v, "serial")) : -1;
	jv_free(v);
	free(path);
	free(dir);
}

/* Append the sources of one sources.json; origin NULL for the user's. */
static int
load_file(const struct home *h, const char *path, const char *origin,
	  struct sources *s, struct dv_err *e)
{
	const jv *arr;
	jv *v;
	int rc = -1;

	if (!fs_is_file(path))
		return 0;
	if (!(v = jv_load_file(path, SOURCES_MAX, e)))
		return -1;
	arr = jv_get(v, "sources");
	if (jv_typeof(arr) != JV_ARRAY) {
		dv_errf(e, "%s: expected an object with a \"sources\" array", path);
		goto out;
	}
	s->v = xrealloc(s->v, (s->n + jv_len(arr) + 1) * sizeof *s->v);
	for (size_t i = 0; i < jv_len(arr); i++) {
		struct source *src = &s->v[s->n];
		memset(src, 0, sizeof *src);
		if (parse_source(jv_at(arr, i), path, i, src, e) < 0)
			goto out;
		src->origin = origin ? xstrdup(origin) : NULL;
		s->n++;
		load_serial(h, src);
	}
	rc = 0;
out:
	jv_free(v);
	return rc;
}

/* The site's "mirror" setting: a directory source named "site". */
static void
add_site_mirror(const struct home *h, struct sources *s)
{
	const char *mirror = config_get("mirror");
	struct source *src;

	if (!*mirror || sources_find(s, "site"))
		return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	src = &s->v[s->n++];
	memset(src, 0, sizeof *src);
	src->name = xstrdup("site");
	src->kind = xstrdup("dir");
	src->location = xstrdup(mirror);
	src->root = xstrdup(mirror);
	src->origin = xstrdup(config_origin("mirror"));
	load_serial(h, src);
}

int
sources_load(const struct home *h, struct sources *s, struct dv_err *e)
{
	char *site = fs_join(config_sysconfdir(), "sources.json");
	char *user = sources_path(h);
	int rc;

	memset(s, 0, sizeof *s);
	rc = load_file(h, site, site, s, e);
	if (rc == 0)
		add_site_mirror(h, s);
	if (rc == 0)
		rc = load_file(h, user, NULL, s, e);
	if (rc < 0)
		sources_release(s);
	free(site);
	free(user);
	return rc;
}

int
sources_save(const struct home *h, const struct sources *s, struct dv_err *e)
{
	jv *o = jv_object(), *arr = jv_array();
	char *path = sources_path(h), *text;
	int rc;

	for (size_t i = 0; i < s->n; i++) {
		jv *src;
		if (s->v[i].origin)
			continue;       /* the site's, not ours to write */
		src = jv_object();
		jv_set(src, "name", jv_string(s->v[i].name));
		jv_set(src, "kind", jv_string(s->v[i].kind));
		jv_set(src, "location", jv_string(s->v[i].location));
		jv_set(src, "root", jv_string(s->v[i].root));
		jv_set(src, "insecure", jv_boolean(s->v[i].insecure));
		jv_push(arr, src);
	}
	jv_set(o, "format", jv_integer(1));
	jv_set(o, "sources", arr);
	text = jv_dump(o, JV_PRETTY);
	rc = fs_write_atomic(path, text, strlen(text), 0644, e);
	free(text);
	free(path);
	jv_free(o);
	return rc;
}

static void
source_release(struct source *s)
{
	free(s->name);
	free(s->kind);
	free(s->location);
	free(s->root);
	free(s->origin);
	if (s->opened)
		catalog_release(&s->cat);
}

void
sources_release(struct sources *s)
{
	for (size_t i = 0; i < s->n; i++)
		source_release(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

struct source *
sources_find(struct sources *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

static int
verify_catalog(const struct source *src, const struct catalog *cat,
	       const struct strbuf *json, const struct strbuf *sig, bool have_sig,
	       const struct keyring *kr, struct dv_err *e)
{
	char *where = xasprintf("%s (source '%s')", src->location, src->name);
	int rc = 0;

	if (!src->insecure)
		rc = catalog_check_signature(cat, json->buf, json->len,
					     have_sig ? (const unsigned char *)sig->buf
						      : NULL,
					     sig->len, kr->keys, kr->n, where, e);
	if (rc == 0 && cat->serial < src->serial)
		rc = dv_errf(e, "catalog '%s' has serial %lld, older than %lld "
			     "seen before: refusing a rollback", where, cat->serial,
			     src->serial);
	if (rc == 0)
		rc = catalog_check_expiry(cat, time(NULL), where, e);
	free(where);
	return rc;
}

static int
store_copy(const struct home *h, struct source *src, const struct catalog *cat,
	   const struct strbuf *json, const struct strbuf *sig, struct dv_err *e)
{
	char *dir = state_dir(h, src->name), *p1 = fs_join(dir, "catalog.json");
	char *p2 = fs_join(dir, "catalog.json.sig"), *p3 = fs_join(dir, "state.json");
	char *state = xasprintf("{\n  \"serial\": %lld\n}\n", cat->serial);
	int rc = -1;

	if (fs_mkdir_p(dir, 0755, e) < 0 ||
	    fs_write_atomic(p1, json->buf, json->len, 0644, e) < 0 ||
	    fs_write_atomic(p2, sig->buf, sig->len, 0644, e) < 0 ||
	    fs_write_atomic(p3, state, strlen(state), 0644, e) < 0)
		goto out;
	src->serial = cat->serial;
	rc = 0;
out:
	free(state);
	free(p1);
	free(p2);
	free(p3);
	free(dir);
	return rc;
}

char *
source_path(const struct source *src, const char *rel)
{
	return !strcmp(src->kind, "http") ? fetch_join(src->root, rel)
					   : fs_join(src->root, rel);
}

/* The identity of a directory: a swapped-in one has another inode and ctime. */
static bool
same_dir(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Read catalog.json and its signature from one state of root.  A mirror
 * being imported (bundler import) is swapped in with one rename, so when
 * root became another directory while we read, the pair may mix two
 * states: read again.
 */
static int
read_one_state(const char *root, const char *path, const char *sigpath,
	       struct strbuf *json, struct strbuf *sig, bool *have_sig,
	       struct dv_err *e)
{
	for (int tries = 0;; tries++) {
		struct stat before, after;
		bool stable;
		int rc;

		strbuf_reset(json);
		strbuf_reset(sig);
		stable = stat(root, &before) == 0;
		*have_sig = fs_is_file(sigpath);
		rc = fs_read_file(path, CATALOG_JSON_MAX, json, e) < 0 ||
		     (*have_sig && fs_read_file(sigpath, 4096, sig, e) < 0) ? -1 : 0;
		stable = stable && stat(root, &after) == 0 && same_dir(&before, &after);
		if (stable || tries == 20)
			return rc;
	}
}

/* catalog.json and its signature from an http(s) source. */
static int
read_remote(const struct source *src, const char *url, const char *sigurl,
	    struct strbuf *json, struct strbuf *sig, bool *have_sig,
	    struct dv_err *e)
{
	struct dv_err sig_e = { "" };

	if (fetch_to_buf(url, CATALOG_JSON_MAX, json, e) < 0)
		return -1;
	*have_sig = fetch_to_buf(sigurl, 4096, sig, &sig_e) == 0;
	if (!*have_sig && !src->insecure)
		return dv_errf(e, "%s", sig_e.msg);
	return 0;
}

int
source_refresh(const struct home *h, struct source *src, const struct keyring *kr,
	       struct dv_err *e)
{
	char *path = source_path(src, "catalog.json");
	char *sigpath = source_path(src, "catalog.json.sig");
	struct strbuf json = STRBUF_INIT, sig = STRBUF_INIT;
	bool have_sig;
	struct catalog cat;
	int rc = -1;

	if ((!strcmp(src->kind, "http")
	     ? read_remote(src, path, sigpath, &json, &sig, &have_sig, e)
	     : read_one_state(src->root, path, sigpath, &json, &sig, &have_sig, e)) < 0) {
		dv_err_prefix(e, "source '%s'", src->name);
		goto out;
	}
	if (catalog_parse(json.buf, json.len, path, &cat, e) < 0)
		goto out;
	rc = verify_catalog(src, &cat, &json, &sig, have_sig, kr, e);
	if (rc == 0)
		rc = store_copy(h, src, &cat, &json, &sig, e);
	if (rc == 0)
		rc = search_index_write(h, src, &cat, e);
	catalog_release(&cat);
out:
	strbuf_release(&json);
	strbuf_release(&sig);
	free(path);
	free(sigpath);
	return rc;
}

/* The first use of a site's source verifies it: no 'diver update' needed. */
static int
refresh_site_source(const struct home *h, struct source *src, struct dv_err *e)
{
	struct keyring kr;
	int rc;

	if (keyring_load(h, &kr, e) < 0)
		return -1;
	rc = source_refresh(h, src, &kr, e);
	keyring_release(&kr);
	return rc;
}

int
source_open(const struct home *h, struct source *src, struct dv_err *e)
{
	char *dir = state_dir(h, src->name), *path = fs_join(dir, "catalog.json");
	int rc;

	if (!src->opened && !fs_is_file(path) && src->origin &&
	    refresh_site_source(h, src, e) < 0) {
		rc = -1;
	} else if (src->opened) {
		rc = 0;
	} else if (!fs_is_file(path)) {
		rc = dv_errf(e, "source '%s' has no verified catalog yet; run 'diver "
			     "update'", src->name);
	} else {
		rc = catalog_load(path, &src->cat, e);
		src->opened = rc == 0;
	}
	free(path);
	free(dir);
	return rc;
}

int
sources_resolve(const struct home *h, struct sources *s, const struct ref *r,
		struct resolved *out, struct dv_err *e)
{
	struct dv_err miss = { "" };
	char buf[REF_STRING_MAX];

	memset(out, 0, sizeof *out);
	if (s->n == 0)
		return dv_errf(e, "no sources yet; add one with 'diver source add "
			       "NAME URL|DIR|BUNDLE.dvb'");
	for (size_t i = 0; i < s->n; i++) {
		const struct kernel *rel;
		const struct kernel_variant *var;
		if (source_open(h, &s->v[i], e) < 0)
			return -1;
		if (catalog_resolve(&s->v[i].cat, r, &rel, &var, &miss) < 0)
			continue;
		if (out->rel && version_cmp(rel->version, out->rel->version) <= 0)
			continue;
		*out = (struct resolved){ &s->v[i], rel, var };
	}
	if (out->rel)
		return 0;
	if (strncmp(miss.msg, "no kernel named", 15) == 0)
		return dv_errf(e, "no source has a kernel named '%s' (see 'diver "
			       "search')", r->name);
	return dv_errf(e, "no source has '%s': %s", ref_string(r, buf), miss.msg);
}
