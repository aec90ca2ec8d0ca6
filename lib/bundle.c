#include "bundle.h"
#include "catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tarball.h"
#include "fs.h"
#include "json.h"
#include "lock.h"
#include "strbuf.h"
#include "timefmt.h"

#define MIRROR_STATE "mirror.json"

static const struct tar_limits bundle_limits = {
	.max_entry = 64ULL << 30,
	.max_total = 1ULL << 40,
	.max_entries = BUNDLE_MEMBERS_MAX + 2,
	.max_ratio = 1000,
	.allow_dirs = false,
};

void
bundle_manifest_release(struct bundle_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nmembers; i++)
		free(m->members[i].path);
	free(m->members);
	free(m->created);
	free(m->expires);
	free(m->key);
	strlist_release(&m->refs);
	memset(m, 0, sizeof *m);
}

static int
member_cmp(const void *a, const void *b)
{
	return strcmp((*(struct bundle_member *const *)a)->path,
		      (*(struct bundle_member *const *)b)->path);
}

/* Members sorted by path, for lookups and the duplicate check. */
static struct bundle_member **
member_index(const struct bundle_manifest *m)
{
	struct bundle_member **idx = xcalloc(m->nmembers + 1, sizeof *idx);

	for (size_t i = 0; i < m->nmembers; i++)
		idx[i] = &m->members[i];
	qsort(idx, m->nmembers, sizeof *idx, member_cmp);
	return idx;
}

static struct bundle_member *
member_find(struct bundle_member **idx, size_t n, const char *path)
{
	struct bundle_member key = { .path = (char *)path }, *kp = &key, **hit;

	hit = bsearch(&kp, idx, n, sizeof *idx, member_cmp);
	return hit ? *hit : NULL;
}

static int
parse_member(const jv *v, size_t i, const char *where, struct bundle_member *mb,
	     struct dv_err *e)
{
	const char *path = jv_str(jv_get(v, "path"));
	const char *sha = jv_str(jv_get(v, "sha256"));
	const jv *size = jv_get(v, "size");
	char *what;
	int rc;

	if (!path || !sha || !jv_is_int(size) || jv_int(size) < 0 ||
	    !sha256_hex_valid(sha))
		return dv_errf(e, "%s: members[%zu]: expected path, size and a "
			       "lowercase hex sha256", where, i);
	what = xasprintf("%s: member", where);
	rc = fs_check_relative(path, what, e);
	free(what);
	if (rc < 0)
		return -1;
	if (!strcmp(path, BUNDLE_MANIFEST) || !strcmp(path, BUNDLE_SIGNATURE))
		return dv_errf(e, "%s: members[%zu] may not be '%s'", where, i, path);
	mb->path = xstrdup(path);
	mb->size = (uint64_t)jv_int(size);
	memcpy(mb->sha256, sha, SHA256_HEX);
	return 0;
}

static int
parse_members(const jv *arr, const char *where, struct bundle_manifest *m,
	      struct dv_err *e)
{
	struct bundle_member **idx;
	uint64_t total = 0;
	int rc = 0;

	if (jv_typeof(arr) != JV_ARRAY)
		return dv_errf(e, "%s: field \"members\": expected an array", where);
	if (jv_len(arr) > BUNDLE_MEMBERS_MAX)
		return dv_errf(e, "%s: more than %d members", where, BUNDLE_MEMBERS_MAX);
	m->members = xcalloc(jv_len(arr) + 1, sizeof *m->members);
	for (size_t i = 0; i < jv_len(arr); i++) {
		if (parse_member(jv_at(arr, i), i, where, &m->members[i], e) < 0)
			return -1;
		m->nmembers++;
		total += m->members[i].size;
		if (m->members[i].size > bundle_limits.max_entry ||
		    total > bundle_limits.max_total)
			return dv_errf(e, "%s: member sizes exceed the limit of %llu "
				       "bytes", where,
				       (unsigned long long)bundle_limits.max_total);
	}
	idx = member_index(m);
	for (size_t i = 1; i < m->nmembers && rc == 0; i++)
		if (!strcmp(idx[i - 1]->path, idx[i]->path))
			rc = dv_errf(e, "%s: member '%s' is listed twice", where,
				     idx[i]->path);
	free(idx);
	return rc;
}

/* The optional "base" (a delta) and "split" (one part) objects. */
static int
parse_delta_split(const jv *v, const char *where, struct bundle_manifest *m,
		  struct dv_err *e)
{
	const jv *base = jv_get(v, "base"), *split = jv_get(v, "split");

	if (base) {
		const char *h = jv_str(jv_get(base, "manifest"));
		const jv *serial = jv_get(base, "serial");
		if (!h || !sha256_hex_valid(h) || !jv_is_int(serial) || jv_int(serial) < 1)
			return dv_errf(e, "%s: field \"base\": expected {\"serial\", "
				       "\"manifest\"} of the bundle it adds to", where);
		m->base_serial = jv_int(serial);
		memcpy(m->base_manifest, h, SHA256_HEX);
	}
	if (split) {
		const char *id = jv_str(jv_get(split, "id"));
		const jv *part = jv_get(split, "part"), *parts = jv_get(split, "parts");
		if (!id || strlen(id) != BUNDLE_SPLIT_ID - 1 ||
		    strspn(id, "0123456789abcdef") != BUNDLE_SPLIT_ID - 1 ||
		    !jv_is_int(part) || !jv_is_int(parts) || jv_int(parts) < 1 ||
		    jv_int(parts) > BUNDLE_PARTS_MAX || jv_int(part) < 1 ||
		    jv_int(part) > jv_int(parts))
			return dv_errf(e, "%s: field \"split\": expected {\"id\" (16 "
				       "hex digits), \"part\", \"parts\" (1 to %d)}",
				       where, BUNDLE_PARTS_MAX);
		memcpy(m->split_id, id, BUNDLE_SPLIT_ID);
		m->part = (int)jv_int(part);
		m->parts = (int)jv_int(parts);
	}
	return 0;
}

static int
parse_header(const jv *v, const char *where, struct bundle_manifest *m,
	     struct dv_err *e)
{
	const char *created = jv_str(jv_get(v, "created"));
	const char *expires = jv_str(jv_get(v, "expires"));
	const char *key = jv_str(jv_get(v, "key"));
	const jv *refs = jv_get(v, "refs"), *all = jv_get(v, "all");
	time_t t;

	if (!jv_is_int(jv_get(v, "format")) || jv_int(jv_get(v, "format")) != BUNDLE_FORMAT)
		return dv_errf(e, "%s: field \"format\": expected %d", where,
			       BUNDLE_FORMAT);
	if (!jv_is_int(jv_get(v, "serial")) || jv_int(jv_get(v, "serial")) < 0)
		return dv_errf(e, "%s: field \"serial\": expected a non-negative "
			       "integer", where);
	if (!created || rfc3339_parse(created, &t) < 0 || !expires ||
	    rfc3339_parse(expires, &t) < 0)
		return dv_errf(e, "%s: fields \"created\" and \"expires\": expected "
			       "times like 2026-01-31T12:00:00Z", where);
	if (!key || strlen(key) != KEYID_HEX - 1)
		return dv_errf(e, "%s: field \"key\": expected a key id", where);
	if ((refs && jv_typeof(refs) != JV_ARRAY) || (all && !jv_is_bool(all)))
		return dv_errf(e, "%s: fields \"refs\" and \"all\": expected an "
			       "array of strings and a boolean", where);
	m->format = BUNDLE_FORMAT;
	m->serial = jv_int(jv_get(v, "serial"));
	m->created = xstrdup(created);
	m->expires = xstrdup(expires);
	m->key = xstrdup(key);
	m->all = all && jv_bool(all);
	for (size_t i = 0; refs && i < jv_len(refs) && i < 4096; i++)
		if (jv_str(jv_at(refs, i)))
			strlist_push(&m->refs, jv_str(jv_at(refs, i)));
	return parse_delta_split(v, where, m, e);
}

int
bundle_manifest_parse(const char *data, size_t len, const char *where,
		      struct bundle_manifest *m, struct dv_err *e)
{
	jv *v;
	int rc;

	memset(m, 0, sizeof *m);
	v = jv_parse(data, len, where, e);
	if (!v)
		return -1;
	sha256_buf_hex(data, len, m->hash);
	if (jv_typeof(v) != JV_OBJECT)
		rc = dv_errf(e, "%s: expected a JSON object", where);
	else
		rc = parse_header(v, where, m, e) < 0 ||
		     parse_members(jv_get(v, "members"), where, m, e) < 0 ? -1 : 0;
	jv_free(v);
	if (rc < 0)
		bundle_manifest_release(m);
	return rc;
}

/* --- writing --- */

static int
hash_source(struct bundle_source *s, struct dv_err *e)
{
	if (s->known)
		return 0;
	if (s->file) {
		if (sha256_file_hex(s->file, s->sha256, &s->size, e) < 0)
			return -1;
	} else {
		sha256_buf_hex(s->data, s->len, s->sha256);
		s->size = s->len;
	}
	s->known = true;
	return 0;
}

static char *
manifest_json(struct sigkey *key, const struct bundle_header *h,
	      const struct bundle_source *srcs, size_t n)
{
	char created[RFC3339_LEN], expires[RFC3339_LEN], id[KEYID_HEX];
	jv *o = jv_object(), *refs = jv_array(), *members = jv_array();
	char *s;

	rfc3339_format(h->created, created);
	rfc3339_format(h->expires, expires);
	sigkey_id(key, id);
	jv_set(o, "format", jv_integer(BUNDLE_FORMAT));
	jv_set(o, "serial", jv_integer(h->serial));
	jv_set(o, "created", jv_string(created));
	jv_set(o, "expires", jv_string(expires));
	jv_set(o, "key", jv_string(id));
	for (size_t i = 0; i < h->nrefs; i++)
		jv_push(refs, jv_string(h->refs[i]));
	jv_set(o, "refs", refs);
	jv_set(o, "all", jv_boolean(h->all));
	if (h->base_manifest) {
		jv *b = jv_object();
		jv_set(b, "serial", jv_integer(h->base_serial));
		jv_set(b, "manifest", jv_string(h->base_manifest));
		jv_set(o, "base", b);
	}
	if (h->split_id) {
		jv *sp = jv_object();
		jv_set(sp, "id", jv_string(h->split_id));
		jv_set(sp, "part", jv_integer(h->part));
		jv_set(sp, "parts", jv_integer(h->parts));
		jv_set(o, "split", sp);
	}
	for (size_t i = 0; i < n; i++) {
		jv *mb = jv_object();
		jv_set(mb, "path", jv_string(srcs[i].path));
		jv_set(mb, "size", jv_integer((long long)srcs[i].size));
		jv_set(mb, "sha256", jv_string(srcs[i].sha256));
		jv_push(members, mb);
	}
	jv_set(o, "members", members);
	s = jv_dump(o, JV_PRETTY);
	jv_free(o);
	return s;
}

static int
write_source(struct tar_writer *w, const struct bundle_source *s,
	     struct dv_err *e)
{
	char hex[SHA256_HEX];
	uint64_t size;

	if (!s->file)
		return tar_writer_add_data(w, s->path, s->data, s->len, false, e);
	if (tar_writer_add_file(w, s->path, s->file, hex, &size, e) < 0)
		return -1;
	if (size != s->size || strcmp(hex, s->sha256))
		return dv_errf(e, "'%s' does not match its catalog entry (sha256 "
			       "%s, expected %s); re-render the catalog", s->file,
			       hex, s->sha256);
	return 0;
}

int
bundle_write(int fd, struct sigkey *key, const struct bundle_header *h,
	     struct bundle_source *srcs, size_t n, struct dv_err *e)
{
	unsigned char sig[SIG_LEN];
	struct tar_writer *w = NULL;
	char *manifest = NULL;
	uint64_t total = 0, done = 0;
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		if (hash_source(&srcs[i], e) < 0)
			return -1;
	manifest = manifest_json(key, h, srcs, n);
	if (sigkey_sign(key, manifest, strlen(manifest), sig, e) < 0)
		goto out;
	w = tar_writer_open(fd, h->level ? h->level : 3, h->created, e);
	if (!w ||
	    tar_writer_add_data(w, BUNDLE_MANIFEST, manifest, strlen(manifest),
				false, e) < 0 ||
	    tar_writer_add_data(w, BUNDLE_SIGNATURE, sig, SIG_LEN, false, e) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		total += srcs[i].size;
	for (size_t i = 0; i < n; i++) {
		if (write_source(w, &srcs[i], e) < 0)
			goto out;
		done += srcs[i].size;
		if (h->progress)
			h->progress(h->progress_arg, done, total);
	}
	rc = tar_writer_close(w, e);
out:
	tar_writer_free(w);
	free(manifest);
	return rc;
}

/* --- reading --- */

struct reader {
	const char *name;                  /* "bundle 'x.dvb'" */
	struct tar_reader *tar;
	struct strbuf manifest;
	unsigned char sig[SIG_LEN];
	char signer[KEYID_HEX];
};

static int
read_small(struct reader *rd, const char *expect, uint64_t max,
	   struct strbuf *out, struct dv_err *e)
{
	struct tar_entry ent;
	char buf[8192];
	ssize_t n;
	int rc = tar_reader_next(rd->tar, &ent, e);

	if (rc < 0)
		return -1;
	if (rc == 0 || strcmp(ent.path, expect))
		return dv_errf(e, "%s: the first members must be %s and %s; it is "
			       "not a Diver bundle or it was tampered with", rd->name,
			       BUNDLE_MANIFEST, BUNDLE_SIGNATURE);
	if (ent.size > max)
		return dv_errf(e, "%s: %s is larger than %llu bytes", rd->name,
			       expect, (unsigned long long)max);
	while ((n = tar_reader_read(rd->tar, buf, sizeof buf, e)) > 0)
		strbuf_add(out, buf, (size_t)n);
	if (n < 0)
		return -1;
	if (out->len != ent.size)
		return dv_errf(e, "%s: %s is truncated", rd->name, expect);
	return 0;
}

static int
read_head(struct reader *rd, struct dv_err *e)
{
	struct strbuf sig = STRBUF_INIT;
	int rc;

	if (read_small(rd, BUNDLE_MANIFEST, BUNDLE_MANIFEST_MAX, &rd->manifest, e) < 0)
		return -1;
	rc = read_small(rd, BUNDLE_SIGNATURE, SIG_LEN, &sig, e);
	if (rc == 0 && sig.len != SIG_LEN)
		rc = dv_errf(e, "%s: %s is not a %d-byte Ed25519 signature", rd->name,
			     BUNDLE_SIGNATURE, SIG_LEN);
	if (rc == 0)
		memcpy(rd->sig, sig.buf, SIG_LEN);
	strbuf_release(&sig);
	return rc;
}

/* The signature first; the manifest is parsed only to explain a failure. */
static int
check_signature(struct reader *rd, const struct bundle_read_opts *o,
		struct dv_err *e)
{
	char id[KEYID_HEX];
	const char *named;
	jv *v;
	int rc;

	for (size_t i = 0; i < o->nkeys; i++) {
		if (pubkey_verify(o->keys[i], rd->manifest.buf, rd->manifest.len,
				  rd->sig, SIG_LEN) == 0) {
			pubkey_id(o->keys[i], rd->signer);
			return 0;
		}
	}
	if (o->nkeys == 0)
		return dv_errf(e, "%s: no public key to verify it with", rd->name);
	v = jv_parse(rd->manifest.buf, rd->manifest.len, rd->name, NULL);
	named = jv_str(jv_get(v, "key"));
	rc = -1;
	for (size_t i = 0; named && i < o->nkeys; i++) {
		pubkey_id(o->keys[i], id);
		if (!strcmp(id, named))
			rc = 0;
	}
	pubkey_id(o->keys[0], id);
	if (named && rc < 0)
		dv_errf(e, "%s: signed with key %s, not with %s%s: wrong key",
			rd->name, named, id, o->nkeys > 1 ? " or the other given keys" : "");
	else
		dv_errf(e, "%s: signature verification failed: the manifest was "
			"changed or the signature is not for it", rd->name);
	jv_free(v);
	return -1;
}

static int
check_manifest(struct reader *rd, const struct bundle_read_opts *o,
	       struct bundle_manifest *m, struct dv_err *e)
{
	time_t exp;

	if (bundle_manifest_parse(rd->manifest.buf, rd->manifest.len, rd->name,
				  m, e) < 0)
		return -1;
	if (strcmp(m->key, rd->signer))
		return dv_errf(e, "%s: manifest names key %s but is signed by %s",
			       rd->name, m->key, rd->signer);
	if (rfc3339_parse(m->expires, &exp) == 0 && o->now >= exp &&
	    !o->ignore_expiry)
		return dv_errf(e, "%s: expired at %s; ask for a fresh bundle, or "
			       "use --ignore-expiry if this machine's clock is "
			       "wrong", rd->name, m->expires);
	return 0;
}

static int
check_member(struct reader *rd, const struct tar_entry *ent,
	     const struct bundle_manifest *m, struct bundle_member **idx,
	     char *seen, const struct bundle_read_opts *o, struct dv_err *e)
{
	struct bundle_member *mb = member_find(idx, m->nmembers, ent->path);
	char hex[SHA256_HEX];
	struct sha256 *h;
	uint64_t got;
	int fd = -1, rc;

	if (!mb)
		return dv_errf(e, "%s: member '%s' is not listed in the manifest",
			       rd->name, ent->path);
	if (seen[mb - m->members]++)
		return dv_errf(e, "%s: member '%s' appears twice", rd->name,
			       ent->path);
	if (ent->size != mb->size)
		return dv_errf(e, "%s: member '%s' is %llu bytes, the manifest says "
			       "%llu", rd->name, ent->path,
			       (unsigned long long)ent->size,
			       (unsigned long long)mb->size);
	if (o->extract_dir) {
		fd = fs_create_beneath(o->extract_dir, ent->path, false, e);
		if (fd < 0)
			return dv_err_prefix(e, "%s", rd->name);
	}
	h = sha256_new();
	rc = tar_reader_stream(rd->tar, fd, h, &got, e);
	sha256_final_hex(h, hex);
	sha256_free(h);
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = dv_errno(e, "cannot write '%s' into '%s'", ent->path,
			      o->extract_dir);
	if (rc == 0 && got != mb->size)
		rc = dv_errf(e, "%s: member '%s' is truncated", rd->name, ent->path);
	if (rc == 0 && strcmp(hex, mb->sha256))
		rc = dv_errf(e, "%s: member '%s' has sha256 %s, the manifest says "
			     "%s: it was changed", rd->name, ent->path, hex,
			     mb->sha256);
	return rc;
}

static int
read_members(struct reader *rd, const struct bundle_read_opts *o,
	     const struct bundle_manifest *m, struct dv_err *e)
{
	struct bundle_member **idx = member_index(m);
	char *seen = xcalloc(m->nmembers + 1, 1);
	uint64_t total = 0, done = 0;
	struct tar_entry ent;
	int rc;

	for (size_t i = 0; i < m->nmembers; i++)
		total += m->members[i].size;
	while ((rc = tar_reader_next(rd->tar, &ent, e)) > 0) {
		if (check_member(rd, &ent, m, idx, seen, o, e) < 0) {
			rc = -1;
			break;
		}
		done += ent.size;
		if (o->progress)
			o->progress(o->progress_arg, done, total);
	}
	for (size_t i = 0; rc == 0 && i < m->nmembers; i++)
		if (!seen[i])
			rc = dv_errf(e, "%s: member '%s' is listed in the manifest "
				     "but missing", rd->name, m->members[i].path);
	free(seen);
	free(idx);
	return rc;
}

static int
open_reader(struct reader *rd, const char *path, int *fd, struct dv_err *e)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return dv_errno(e, "cannot open bundle '%s'", path);
	rd->tar = tar_reader_open(*fd, rd->name, &bundle_limits, e);
	return rd->tar ? 0 : -1;
}

typedef int (*manifest_hook)(void *arg, const struct bundle_manifest *m,
			    const char *manifest_sha256, struct dv_err *e);

/* With extract_dir set, the verified manifest and signature are kept too. */
static int
keep_head(struct reader *rd, const char *dir, struct dv_err *e)
{
	char *p = fs_join(dir, BUNDLE_MANIFEST), *q = fs_join(dir, BUNDLE_SIGNATURE);
	int rc = fs_write_atomic(p, rd->manifest.buf, rd->manifest.len, 0644, e);

	if (rc == 0)
		rc = fs_write_atomic(q, rd->sig, SIG_LEN, 0644, e);
	free(p);
	free(q);
	return rc;
}

/* Returns 1 when hook said the bundle is in place already (verified, not extracted). */
static int
read_bundle(const char *path, const struct bundle_read_opts *o,
	    struct bundle_manifest *m, manifest_hook hook, void *arg,
	    struct dv_err *e)
{
	struct reader rd = { 0 };
	struct bundle_read_opts ro;
	char *name = xasprintf("bundle '%s'", path), hash[SHA256_HEX];
	int fd = -1, rc = -1, already = 0;

	memset(m, 0, sizeof *m);
	rd.name = name;
	strbuf_init(&rd.manifest);
	if (open_reader(&rd, path, &fd, e) < 0 || read_head(&rd, e) < 0 ||
	    check_signature(&rd, o, e) < 0 || check_manifest(&rd, o, m, e) < 0)
		goto out;
	sha256_buf_hex(rd.manifest.buf, rd.manifest.len, hash);
	if (hook && (already = hook(arg, m, hash, e)) < 0)
		goto out;
	/* Already imported: still verify every member, but write nothing. */
	ro = *o;
	if (already)
		ro.extract_dir = NULL;
	if ((ro.extract_dir && keep_head(&rd, ro.extract_dir, e) < 0) ||
	    read_members(&rd, &ro, m, e) < 0)
		goto out;
	rc = already ? 1 : 0;
out:
	if (rc < 0)
		bundle_manifest_release(m);
	tar_reader_free(rd.tar);
	if (fd >= 0)
		close(fd);
	strbuf_release(&rd.manifest);
	free(name);
	return rc;
}

int
bundle_read(const char *path, const struct bundle_read_opts *o,
	    struct bundle_manifest *m, struct dv_err *e)
{
	return read_bundle(path, o, m, NULL, NULL, e);
}

int
bundle_peek(const char *path, struct bundle_manifest *m, struct dv_err *e)
{
	struct reader rd = { 0 };
	char *name = xasprintf("bundle '%s'", path);
	int fd = -1, rc = -1;

	memset(m, 0, sizeof *m);
	rd.name = name;
	strbuf_init(&rd.manifest);
	if (open_reader(&rd, path, &fd, e) == 0 && read_head(&rd, e) == 0)
		rc = bundle_manifest_parse(rd.manifest.buf, rd.manifest.len, name,
					   m, e);
	tar_reader_free(rd.tar);
	if (fd >= 0)
		close(fd);
	strbuf_release(&rd.manifest);
	free(name);
	return rc;
}

/* --- importing --- */

/* The mirror's memory: per key, the newest serial and its manifest hash. */
static jv *
load_state(const char *mirror, struct dv_err *e)
{
	char *path = fs_join(mirror, MIRROR_STATE);
	jv *v;

	if (!fs_exists(path)) {
		free(path);
		v = jv_object();
		jv_set(v, "format", jv_integer(1));
		jv_set(v, "keys", jv_object());
		return v;
	}
	v = jv_load_file(path, 1 << 20, e);
	if (v && jv_typeof(jv_get(v, "keys")) != JV_OBJECT) {
		dv_errf(e, "mirror state '%s' is damaged: no \"keys\" object", path);
		jv_free(v);
		v = NULL;
	}
	free(path);
	return v;
}

/* 1 when this exact manifest was imported already, 0 to import, -1 refuse. */
static int
check_serial(const jv *state, const struct bundle_manifest *m,
	     const char *manifest_hash, const char *path, struct dv_err *e)
{
	const jv *k = jv_get(jv_get(state, "keys"), m->key);
	long long last;

	if (!k)
		return 0;
	last = jv_int(jv_get(k, "serial"));
	if (m->serial < last)
		return dv_errf(e, "bundle '%s': serial %lld is older than %lld, "
			       "which this mirror already imported from key %s: "
			       "refusing a rollback", path, m->serial, last, m->key);
	if (m->serial == last) {
		if (!strcmp(jv_str(jv_get(k, "manifest")) ? jv_str(jv_get(k, "manifest")) : "",
			    manifest_hash))
			return 1;
		return dv_errf(e, "bundle '%s': serial %lld was already imported "
			       "from key %s with a different manifest: refusing "
			       "it", path, m->serial, m->key);
	}
	return 0;
}

static int
write_state(jv *state, const struct bundle_manifest *m, const char *hash,
	    const char *dir, struct dv_err *e)
{
	char now[RFC3339_LEN];
	jv *k = jv_object();
	char *path = fs_join(dir, MIRROR_STATE), *s;
	int rc;

	rfc3339_format(time(NULL), now);
	jv_set(k, "serial", jv_integer(m->serial));
	jv_set(k, "manifest", jv_string(hash));
	jv_set(k, "imported", jv_string(now));
	jv_set(jv_get(state, "keys"), m->key, k);
	s = jv_dump(state, JV_PRETTY);
	rc = fs_write_atomic(path, s, strlen(s), 0644, e);
	free(s);
	free(path);
	return rc;
}

struct import {
	const char *path;
	jv *state;
	char hash[SHA256_HEX];
};

static int
import_hook(void *arg, const struct bundle_manifest *m, const char *hash,
	    struct dv_err *e)
{
	struct import *im = arg;
	const jv *k = jv_get(jv_get(im->state, "keys"), m->key);

	memcpy(im->hash, hash, SHA256_HEX);
	/* a part of a split bundle the mirror has assembled already */
	if (m->parts && k && jv_int(jv_get(k, "serial")) == m->serial)
		return 1;
	return check_serial(im->state, m, hash, im->path, e);
}

/* Move every file under src to the same place under dst (replacing). */
static int
move_tree(const char *src, const char *dst, struct dv_err *e)
{
	char **names;
	int rc = 0;

	if (fs_list_dir(src, &names, NULL, e) < 0)
		return -1;
	for (char **n = names; *n && rc == 0; n++) {
		char *from = fs_join(src, *n), *to = fs_join(dst, *n);
		if (fs_is_dir(from)) {
			rc = fs_mkdir_p(to, 0755, e);
			if (rc == 0)
				rc = move_tree(from, to, e);
		} else if (rename(from, to) < 0) {
			rc = dv_errno(e, "cannot move '%s' to '%s'", from, to);
		}
		free(from);
		free(to);
	}
	fs_names_free(names);
	return rc;
}

/*
 * Keep a verified part in MIRROR.split/ID/partN.  When every part is there,
 * *staging becomes a directory holding all of them; else it is NULL.
 */
static int
store_part(const char *mirror, struct bundle_manifest *m, char **staging,
	   struct dv_err *e)
{
	char *dir = xasprintf("%s.split/%s", mirror, m->split_id);
	char *part = xasprintf("%s/part%d", dir, m->part);
	int rc = -1;

	m->parts_present = 0;
	if (fs_mkdir_p(dir, 0755, e) < 0 || fs_rm_rf(part, e) < 0)
		goto out;
	if (rename(*staging, part) < 0) {
		dv_errno(e, "cannot keep part %d in '%s'", m->part, dir);
		goto out;
	}
	free(*staging);
	*staging = NULL;
	for (int i = 1; i <= m->parts; i++) {
		char *p = xasprintf("%s/part%d", dir, i);
		m->parts_present += fs_is_dir(p);
		free(p);
	}
	rc = 0;
	if (m->parts_present < m->parts)
		goto out;
	if (fs_staging_dir(mirror, staging, e) < 0) {
		rc = -1;
		goto out;
	}
	for (int i = 1; i <= m->parts && rc == 0; i++) {
		char *p = xasprintf("%s/part%d", dir, i);
		rc = move_tree(p, *staging, e);
		free(p);
	}
out:
	free(part);
	free(dir);
	return rc;
}

/* Link (or copy) src to dst, making dst's directory. */
static int
carry_file(const char *src, const char *dst, struct dv_err *e)
{
	char *dir = xstrdup(dst);
	int rc;

	*strrchr(dir, '/') = '\0';
	rc = fs_mkdir_p(dir, 0755, e);
	free(dir);
	if (rc < 0)
		return -1;
	if (link(src, dst) == 0)
		return 0;
	return fs_copy_file(src, dst, e);
}

/* One package the catalog names: in staging, or carried from the mirror. */
static int
complete_one(const char *staging, const char *mirror, const char *path,
	     const struct bundle_manifest *m, const struct file_ref *pkg,
	     struct dv_err *e)
{
	char *have = fs_join(staging, pkg->path), *old = fs_join(mirror, pkg->path);
	struct stat st;
	int rc = 0;

	if (fs_is_file(have))
		;
	else if (stat(old, &st) == 0 && S_ISREG(st.st_mode) &&
		 (uint64_t)st.st_size == pkg->size)
		rc = carry_file(old, have, e);
	else if (m->base_serial)
		rc = dv_errf(e, "bundle '%s' is a delta on the bundle with serial "
			     "%lld, and mirror '%s' lacks '%s' from it: import that "
			     "bundle first", path, m->base_serial, mirror, pkg->path);
	else
		rc = dv_errf(e, "bundle '%s': its catalog names '%s', which it does "
			     "not carry", path, pkg->path);
	free(have);
	free(old);
	return rc;
}

/*
 * Every package the imported catalog names must be in staging: a delta
 * (or an assembled split delta) takes what it lacks from the mirror.
 */
static int
complete_from_mirror(const char *staging, const char *mirror, const char *path,
		     const struct bundle_manifest *m, struct dv_err *e)
{
	char *catpath = fs_join(staging, "catalog.json");
	struct catalog cat;
	int rc = 0;

	if (catalog_load(catpath, &cat, e) < 0) {
		free(catpath);
		return dv_err_prefix(e, "bundle '%s'", path);
	}
	for (size_t i = 0; i < cat.nkernels && rc == 0; i++)
		for (size_t j = 0; j < cat.kernels[i].nreleases && rc == 0; j++) {
			const struct kernel *k = &cat.kernels[i].releases[j];
			for (size_t v = 0; v < k->nvariants && rc == 0; v++)
				rc = complete_one(staging, mirror, path, m,
						  &k->variants[v].package, e);
		}
	for (size_t i = 0; i < jv_len(cat.toolchains) && rc == 0; i++) {
		const jv *t = jv_at(cat.toolchains, i), *entry;
		struct file_ref pkg;
		rc = catalog_toolchain(&cat, jv_str(jv_get(t, "name")),
				       jv_str(jv_get(t, "version")), &entry, &pkg, e);
		if (rc == 0 && entry)
			rc = complete_one(staging, mirror, path, m, &pkg, e);
		free(pkg.path);
	}
	catalog_release(&cat);
	free(catpath);
	return rc;
}


int
bundle_import(const char *path, const struct bundle_read_opts *o,
	      const char *mirror, struct bundle_manifest *m, struct dv_err *e)
{
	struct bundle_read_opts ro = *o;
	struct import im = { path, NULL, "" };
	char *lockpath = xasprintf("%s.lock", mirror), *staging = NULL;
	int lock, rc = -1;

	memset(m, 0, sizeof *m);
	lock = lock_acquire(lockpath, true, true, "the mirror", e);
	if (lock < 0)
		goto out;
	im.state = load_state(mirror, e);
	if (!im.state || fs_staging_dir(mirror, &staging, e) < 0)
		goto out;
	ro.extract_dir = staging;
	rc = read_bundle(path, &ro, m, import_hook, &im, e);
	if (rc == 1) {
		rc = 0;          /* this exact bundle is in the mirror already */
		m->parts_present = m->parts;
		goto out;
	}
	if (rc == 0 && m->parts && (rc = store_part(mirror, m, &staging, e)) == 0 &&
	    !staging)
		goto out;        /* a part kept; more to come */
	if (rc == 0 && (complete_from_mirror(staging, mirror, path, m, e) < 0 ||
			write_state(im.state, m, im.hash, staging, e) < 0 ||
			fs_replace_dir(staging, mirror, e) < 0))
		rc = -1;
	if (rc == 0 && m->parts) {
		char *done = xasprintf("%s.split/%s", mirror, m->split_id);
		char *top = xasprintf("%s.split", mirror);
		fs_rm_rf(done, NULL);
		rmdir(top);      /* when no other split is under way */
		free(done);
		free(top);
	}
out:
	if (rc < 0)
		bundle_manifest_release(m);
	if (staging)
		fs_rm_rf(staging, NULL);
	jv_free(im.state);
	lock_release(lock);
	free(staging);
	free(lockpath);
	return rc;
}
