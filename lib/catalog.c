#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "strbuf.h"
#include "timefmt.h"

static int
get_header(const jv *v, const char *where, struct catalog *c, struct dv_err *e)
{
	const jv *fmt = jv_get(v, "format"), *serial = jv_get(v, "serial");
	const char *gen = jv_str(jv_get(v, "generated"));
	const char *exp = jv_str(jv_get(v, "expires"));
	const jv *key = jv_get(v, "key");
	time_t t;

	if (jv_typeof(v) != JV_OBJECT)
		return dv_errf(e, "%s: expected a JSON object", where);
	if (!jv_is_int(fmt) || jv_int(fmt) != CATALOG_FORMAT)
		return dv_errf(e, "%s: field \"format\": expected %d (is this diver "
			       "too old for the catalog?)", where, CATALOG_FORMAT);
	if (!jv_is_int(serial) || jv_int(serial) < 0)
		return dv_errf(e, "%s: field \"serial\": expected a non-negative "
			       "integer", where);
	if (!gen || rfc3339_parse(gen, &t) < 0)
		return dv_errf(e, "%s: field \"generated\": expected a time like "
			       "2026-01-31T12:00:00Z", where);
	if (!exp || rfc3339_parse(exp, &t) < 0)
		return dv_errf(e, "%s: field \"expires\": expected a time like "
			       "2026-01-31T12:00:00Z", where);
	if (key && (!jv_str(key) || jv_strlen(key) != KEYID_HEX - 1))
		return dv_errf(e, "%s: field \"key\": expected a key id of 16 hex "
			       "digits", where);
	c->format = jv_int(fmt);
	c->serial = jv_int(serial);
	c->generated = xstrdup(gen);
	c->expires = xstrdup(exp);
	c->key = key ? xstrdup(jv_str(key)) : NULL;
	return 0;
}

static int
get_kernel(const jv *v, size_t i, const char *where, struct catalog *c,
	   struct dv_err *e)
{
	const jv *rels = jv_get(v, "releases");
	char *w;
	int rc = 0;

	if (!jv_str(jv_get(v, "name")) || jv_typeof(rels) != JV_ARRAY)
		return dv_errf(e, "%s: kernels[%zu]: expected an object with name "
			       "and releases", where, i);
	for (size_t j = 0; j < jv_len(rels) && rc == 0; j++) {
		struct kernel k;
		w = xasprintf("%s: kernels[%zu].releases[%zu]", where, i, j);
		rc = kernel_from_jv(jv_at(rels, j), w, KERNEL_IN_CATALOG, &k, e);
		free(w);
		if (rc == 0 && strcmp(k.name, jv_str(jv_get(v, "name")))) {
			rc = dv_errf(e, "%s: kernels[%zu]: release of '%s' listed under "
				     "'%s'", where, i, k.name, jv_str(jv_get(v, "name")));
			kernel_release(&k);
		}
		if (rc == 0)
			rc = catalog_add_release(c, &k, e);
		if (rc == 0)
			continue;
		kernel_release(&k);
	}
	return rc;
}

int
catalog_parse(const char *data, size_t len, const char *where,
	      struct catalog *c, struct dv_err *e)
{
	jv *v = jv_parse(data, len, where, e);
	const jv *kernels;
	int rc = -1;

	memset(c, 0, sizeof *c);
	if (!v)
		return -1;
	if (get_header(v, where, c, e) < 0)
		goto out;
	kernels = jv_get(v, "kernels");
	if (jv_typeof(kernels) != JV_ARRAY) {
		dv_errf(e, "%s: field \"kernels\": expected an array", where);
		goto out;
	}
	for (size_t i = 0; i < jv_len(kernels); i++)
		if (get_kernel(jv_at(kernels, i), i, where, c, e) < 0)
			goto out;
	c->toolchains = jv_get(v, "toolchains") ? jv_ref(jv_get(v, "toolchains"))
						: jv_array();
	if (jv_typeof(c->toolchains) != JV_ARRAY) {
		dv_errf(e, "%s: field \"toolchains\": expected an array", where);
		goto out;
	}
	rc = 0;
out:
	jv_free(v);
	if (rc < 0)
		catalog_release(c);
	return rc;
}

int
catalog_load(const char *path, struct catalog *c, struct dv_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	memset(c, 0, sizeof *c);
	if (fs_read_file(path, CATALOG_JSON_MAX, &sb, e) < 0)
		return -1;
	rc = catalog_parse(sb.buf, sb.len, path, c, e);
	strbuf_release(&sb);
	return rc;
}

void
catalog_release(struct catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nkernels; i++) {
		for (size_t j = 0; j < c->kernels[i].nreleases; j++)
			kernel_release(&c->kernels[i].releases[j]);
		free(c->kernels[i].releases);
		free(c->kernels[i].name);
	}
	free(c->kernels);
	free(c->generated);
	free(c->expires);
	free(c->key);
	jv_free(c->toolchains);
	strlist_release(&c->warnings);
	memset(c, 0, sizeof *c);
}

char *
catalog_dump(const struct catalog *c)
{
	jv *o = jv_object(), *ks = jv_array();
	char *s;

	jv_set(o, "format", jv_integer(c->format ? c->format : CATALOG_FORMAT));
	jv_set(o, "serial", jv_integer(c->serial));
	jv_set(o, "generated", jv_string(c->generated ? c->generated : ""));
	jv_set(o, "expires", jv_string(c->expires ? c->expires : ""));
	if (c->key)
		jv_set(o, "key", jv_string(c->key));
	for (size_t i = 0; i < c->nkernels; i++) {
		jv *k = jv_object(), *rels = jv_array();
		jv_set(k, "name", jv_string(c->kernels[i].name));
		for (size_t j = 0; j < c->kernels[i].nreleases; j++)
			jv_push(rels, kernel_to_jv(&c->kernels[i].releases[j], true));
		jv_set(k, "releases", rels);
		jv_push(ks, k);
	}
	jv_set(o, "kernels", ks);
	jv_set(o, "toolchains", c->toolchains ? jv_deep_copy(c->toolchains)
					      : jv_array());
	s = jv_dump(o, JV_PRETTY);
	jv_free(o);
	return s;
}

/* The index of the first kernel whose name is not below name. */
static size_t
lower_bound(const struct catalog *c, const char *name)
{
	size_t lo = 0, hi = c->nkernels;

	/* Catalogs are read and built in name order: try the end first. */
	if (hi && strcmp(c->kernels[hi - 1].name, name) < 0)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->kernels[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct catalog_kernel *
find_or_insert(struct catalog *c, const char *name)
{
	size_t i = lower_bound(c, name), n = c->nkernels;

	if (i < n && !strcmp(c->kernels[i].name, name))
		return &c->kernels[i];
	/* The array holds the next power of two of kernels: grow at powers. */
	if ((n & (n - 1)) == 0)
		c->kernels = xrealloc(c->kernels, (n ? 2 * n : 1) * sizeof *c->kernels);
	memmove(&c->kernels[i + 1], &c->kernels[i], (n - i) * sizeof *c->kernels);
	c->nkernels++;
	memset(&c->kernels[i], 0, sizeof c->kernels[i]);
	c->kernels[i].name = xstrdup(name);
	return &c->kernels[i];
}

int
catalog_add_release(struct catalog *c, struct kernel *k, struct dv_err *e)
{
	struct catalog_kernel *ck = find_or_insert(c, k->name);
	size_t i = 0;

	while (i < ck->nreleases && version_cmp(ck->releases[i].version, k->version) > 0)
		i++;
	if (i < ck->nreleases && !version_cmp(ck->releases[i].version, k->version))
		return dv_errf(e, "kernel '%s': version %s appears twice", k->name,
			       k->version);
	ck->releases = xrealloc(ck->releases, (ck->nreleases + 1) * sizeof *k);
	memmove(&ck->releases[i + 1], &ck->releases[i],
		(ck->nreleases - i) * sizeof *k);
	ck->releases[i] = *k;
	ck->nreleases++;
	memset(k, 0, sizeof *k);
	return 0;
}

const struct catalog_kernel *
catalog_find(const struct catalog *c, const char *name)
{
	size_t i = lower_bound(c, name);

	if (i < c->nkernels && !strcmp(c->kernels[i].name, name))
		return &c->kernels[i];
	return NULL;
}

static char *
variants_text(const struct catalog_kernel *ck)
{
	struct strlist seen = { 0 };
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ck->nreleases; i++)
		for (size_t j = 0; j < ck->releases[i].nvariants; j++)
			if (!strlist_has(&seen, ck->releases[i].variants[j].name))
				strlist_push(&seen, ck->releases[i].variants[j].name);
	for (size_t i = 0; i < seen.n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", seen.v[i]);
	strlist_release(&seen);
	return strbuf_detach(&sb, NULL);
}

static char *
versions_text(const struct catalog_kernel *ck)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ck->nreleases; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", ck->releases[i].version);
	return strbuf_detach(&sb, NULL);
}

int
catalog_resolve(const struct catalog *c, const struct ref *r,
		const struct kernel **rel, const struct kernel_variant **var,
		struct dv_err *e)
{
	const struct catalog_kernel *ck = catalog_find(c, r->name);
	const char *variant = r->variant[0] ? r->variant : "default";
	char buf[REF_STRING_MAX];
	bool version_seen = false;
	char *list;

	if (!ck)
		return dv_errf(e, "no kernel named '%s'", r->name);
	for (size_t i = 0; i < ck->nreleases; i++) {
		const struct kernel *k = &ck->releases[i];
		if (r->version[0] && version_cmp(k->version, r->version))
			continue;
		version_seen = true;
		if ((*var = kernel_variant(k, variant))) {
			*rel = k;
			return 0;
		}
	}
	if (r->version[0] && !version_seen) {
		list = versions_text(ck);
		dv_errf(e, "no release '%s'; releases of %s are %s",
			ref_string(r, buf), r->name, list);
	} else {
		list = variants_text(ck);
		dv_errf(e, "no variant '%s' of '%s'; variants are %s", variant,
			ref_string(r, buf), list);
	}
	free(list);
	return -1;
}

int
catalog_check_signature(const struct catalog *c, const char *data, size_t len,
			const unsigned char *sig, size_t siglen,
			struct pubkey *const *keys, size_t nkeys,
			const char *where, struct dv_err *e)
{
	char id[KEYID_HEX];

	if (!c->key)
		return dv_errf(e, "catalog '%s' names no signing key; it was made "
			       "without 'catalog-gen -k KEY'", where);
	if (!sig)
		return dv_errf(e, "catalog '%s' has no signature file "
			       "(catalog.json.sig)", where);
	for (size_t i = 0; i < nkeys; i++) {
		pubkey_id(keys[i], id);
		if (strcmp(id, c->key))
			continue;
		if (pubkey_verify(keys[i], data, len, sig, siglen) < 0)
			return dv_errf(e, "catalog '%s': signature verification "
				       "failed", where);
		return 0;
	}
	return dv_errf(e, "catalog '%s' is signed with key %s, which is not "
		       "trusted (add its public key with 'diver trust add KEY.pub')",
		       where, c->key);
}

int
catalog_check_expiry(const struct catalog *c, time_t now, const char *where,
		     struct dv_err *e)
{
	time_t exp;

	if (rfc3339_parse(c->expires, &exp) < 0 || now >= exp)
		return dv_errf(e, "catalog '%s' expired at %s; ask its publisher "
			       "for a fresh one", where, c->expires);
	return 0;
}

int
catalog_toolchain(const struct catalog *c, const char *name, const char *version,
		  const jv **entry, struct file_ref *pkg, struct dv_err *e)
{
	*entry = NULL;
	memset(pkg, 0, sizeof *pkg);
	for (size_t i = 0; name && i < jv_len(c->toolchains); i++) {
		const jv *t = jv_at(c->toolchains, i), *p = jv_get(t, "package");
		const char *path = jv_str(jv_get(p, "path"));
		const char *sha = jv_str(jv_get(p, "sha256"));
		const jv *size = jv_get(p, "size");
		if (!jv_str(jv_get(t, "name")) || strcmp(jv_str(jv_get(t, "name")), name) ||
		    !jv_str(jv_get(t, "version")) ||
		    strcmp(jv_str(jv_get(t, "version")), version))
			continue;
		if (!path || !sha || !sha256_hex_valid(sha) || !jv_is_int(size) ||
		    jv_int(size) < 0 || !jv_str(jv_get(t, "cc")) ||
		    fs_check_relative(path, "toolchain package", e) < 0 ||
		    fs_check_relative(jv_str(jv_get(t, "cc")), "toolchain cc", e) < 0)
			return dv_errf(e, "catalog: toolchain %s %s: expected \"cc\" and a "
				       "package with path, sha256 and size", name, version);
		*entry = t;
		pkg->path = xstrdup(path);
		pkg->size = (uint64_t)jv_int(size);
		memcpy(pkg->sha256, sha, SHA256_HEX);
		return 0;
	}
	return 0;
}
