/*
 * cache.c — OUT/.catalog-gen-cache, what the previous run made: for every
 * kernel the stat data of its inputs, its packages and its parts of the
 * shared files; and the SHA-256 of every output file.  A line format with
 * length-prefixed blobs, because it is read on every run and at 10,000
 * kernels JSON would cost more than the rest of an incremental run:
 *
 *   diver-catalog-gen-cache 1
 *   pages KEY                      templates and options of the pages
 *   catalog SHA256                 of the catalog.json written with it
 *   counts KERNELS FILES
 *   K NAME DIRSTAT NRELEASES NTAGS     then NTAGS lines "T TAG",
 *   R VERSION DIGEST NINPUTS NVARIANTS then "I PATH" and
 *     "V NAME IMAGE-SHA256 PKG-SIZE PKG-SHA256 PKG-PATH" lines,
 *   B LEN\n BYTES\n                    twice: row, search terms
 *   F SHA256 PATH                      one per output file, sorted by path
 *
 * Each kernel's line of catalog.json is not repeated here: it is taken from
 * the catalog.json in OUT, which must be the one the cache was written with
 * (its SHA-256 is checked) and has one kernel a line, in the same order.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog-gen.h"
#include "fs.h"

#define CACHE_MAGIC "diver-catalog-gen-cache 1"
#define CACHE_MAX (4ULL << 30)
#define FIELDS_MAX 6

struct reader {
	char *p, *end;
	bool bad;
};

/* The next line, NUL-terminated in place; NULL (and bad) at the end. */
static char *
next_line(struct reader *r)
{
	char *s = r->p, *nl;

	if (r->bad || s >= r->end || !(nl = memchr(s, '\n', (size_t)(r->end - s)))) {
		r->bad = true;
		return NULL;
	}
	*nl = '\0';
	r->p = nl + 1;
	return s;
}

/*
 * Split the next line, which must start with tag, into exactly n fields
 * after the tag; the last field takes the rest of the line.
 */
static bool
fields(struct reader *r, const char *tag, char **f, int n)
{
	char *s = next_line(r);
	size_t tl = strlen(tag);

	if (!s || strncmp(s, tag, tl) || s[tl] != ' ')
		return !(r->bad = true);
	s += tl + 1;
	for (int i = 0; i < n; i++) {
		char *sp = i + 1 < n ? strchr(s, ' ') : NULL;
		if (i + 1 < n && !sp)
			return !(r->bad = true);
		f[i] = s;
		if (sp) {
			*sp = '\0';
			s = sp + 1;
		}
	}
	return true;
}

static size_t
count(const char *s, size_t max, struct reader *r)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end || end == s || v > max)
		r->bad = true;
	return r->bad ? 0 : (size_t)v;
}

static void
copy_hex(char dst[SHA256_HEX], const char *src, struct reader *r)
{
	if (strlen(src) >= SHA256_HEX)
		r->bad = true;
	else
		strcpy(dst, src);
}

static char *
blob(struct reader *r)
{
	char *f[1], *s;
	size_t len;

	if (!fields(r, "B", f, 1))
		return NULL;
	len = count(f[0], (size_t)(r->end - r->p), r);
	if (r->bad || (size_t)(r->end - r->p) < len + 1 || r->p[len] != '\n') {
		r->bad = true;
		return NULL;
	}
	s = xstrndup(r->p, len);
	r->p += len + 1;
	return s;
}

static void
read_variant(struct reader *r, struct variant_state *v)
{
	char *f[5];

	if (!fields(r, "V", f, 5))
		return;
	v->name = xstrdup(f[0]);
	copy_hex(v->image_sha256, f[1], r);
	v->package.size = count(f[2], SIZE_MAX, r);
	copy_hex(v->package.sha256, f[3], r);
	v->package.path = xstrdup(f[4]);
}

static void
read_release(struct reader *r, struct release_state *rel)
{
	char *f[4];
	size_t ninputs, nvariants;

	if (!fields(r, "R", f, 4))
		return;
	rel->version = xstrdup(f[0]);
	copy_hex(rel->digest, f[1], r);
	ninputs = count(f[2], 1u << 20, r);
	nvariants = count(f[3], 64, r);
	for (size_t i = 0; i < ninputs && !r->bad; i++)
		if (fields(r, "I", f, 1))
			strlist_push(&rel->inputs, f[0]);
	rel->variants = xcalloc(nvariants + 1, sizeof *rel->variants);
	for (size_t i = 0; i < nvariants && !r->bad; i++, rel->nvariants++)
		read_variant(r, &rel->variants[i]);
}

static void
read_entry(struct reader *r, struct entry *en)
{
	char *f[4];
	size_t ntags;

	if (!fields(r, "K", f, 4))
		return;
	en->name = xstrdup(f[0]);
	copy_hex(en->dir_stat, f[1], r);
	en->nrels = count(f[2], 1u << 20, r);
	ntags = count(f[3], 1024, r);
	en->rels = xcalloc(en->nrels + 1, sizeof *en->rels);
	for (size_t i = 0; i < ntags && !r->bad; i++)
		if (fields(r, "T", f, 1))
			strlist_push(&en->tags, f[0]);
	for (size_t i = 0; i < en->nrels && !r->bad; i++)
		read_release(r, &en->rels[i]);
	en->row = blob(r);
	en->terms = blob(r);
}

static void
read_cache(struct reader *r, struct cache *c)
{
	char *f[2], *magic = next_line(r);
	size_t nfiles;

	if (!magic || strcmp(magic, CACHE_MAGIC)) {
		r->bad = true;
		return;
	}
	if (fields(r, "pages", f, 1))
		copy_hex(c->pages_key, f[0], r);
	if (fields(r, "catalog", f, 1))
		copy_hex(c->catalog_sha, f[0], r);
	if (!fields(r, "counts", f, 2))
		return;
	c->n = count(f[0], 1u << 24, r);
	nfiles = count(f[1], 1u << 26, r);
	c->entries = xcalloc(c->n + 1, sizeof *c->entries);
	for (size_t i = 0; i < c->n && !r->bad; i++)
		read_entry(r, &c->entries[i]);
	for (size_t i = 0; i < nfiles && !r->bad; i++)
		if (fields(r, "F", f, 2))
			manifest_add(&c->files, f[1], f[0], false);
	if (r->p != r->end)
		r->bad = true;
}

/* The whole file in one read; NULL when it is missing or unreadable. */
static char *
read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n = 1;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size < CACHE_MAX) {
		buf = xmalloc((size_t)st.st_size + 1);
		while (got < (size_t)st.st_size &&
		       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
			got += (size_t)n;
	}
	close(fd);
	if (buf && (n <= 0 || got != (size_t)st.st_size)) {
		free(buf);
		return NULL;
	}
	if (buf)
		buf[got] = '\0';
	*len = got;
	return buf;
}

/*
 * Take each kernel's line from OUT/catalog.json, which must be the one the
 * cache was written with: header line, one line per kernel, closing line.
 */
static bool
take_catalog_lines(const char *out_dir, struct cache *c)
{
	char *path = fs_join(out_dir, "catalog.json"), hex[SHA256_HEX];
	size_t len = 0, i = 0;
	char *data = read_all(path, &len), *s, *nl;
	bool ok = data != NULL;

	free(path);
	if (ok) {
		sha256_buf_hex(data, len, hex);
		ok = !strcmp(hex, c->catalog_sha);
	}
	s = ok ? strchr(data, '\n') : NULL;
	for (; s && i < c->n; i++) {
		s++;
		nl = strchr(s, '\n');
		if (!nl)
			break;
		c->entries[i].catalog_line = xstrndup(s, (size_t)(nl - s) -
						      (nl > s && nl[-1] == ','));
		s = nl;
	}
	free(data);
	return ok && i == c->n;
}

void
cache_load(const char *out_dir, struct cache *c, bool *usable)
{
	char *path = fs_join(out_dir, CACHE_FILE), *data;
	struct reader r;
	size_t len = 0;

	memset(c, 0, sizeof *c);
	*usable = false;
	if ((data = read_all(path, &len))) {
		r = (struct reader){ data, data + len, false };
		read_cache(&r, c);
		manifest_sort(&c->files);
		*usable = !r.bad && take_catalog_lines(out_dir, c);
	}
	free(data);
	free(path);
	if (!*usable)
		cache_release(c);
}

void
cache_release(struct cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		entry_release(&c->entries[i]);
	free(c->entries);
	manifest_release(&c->files);
	memset(c, 0, sizeof *c);
}

const struct entry *
cache_find(const struct cache *c, const char *name)
{
	size_t lo = 0, hi = c ? c->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->entries[mid].name, name);
		if (cmp == 0)
			return &c->entries[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
dump_blob(struct strbuf *out, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	strbuf_addf(out, "B %zu\n", len);
	strbuf_add(out, s ? s : "", len);
	strbuf_addch(out, '\n');
}

static void
dump_release(struct strbuf *out, const struct release_state *r)
{
	strbuf_addf(out, "R %s %s %zu %zu\n", r->version, r->digest, r->inputs.n,
		    r->nvariants);
	for (size_t i = 0; i < r->inputs.n; i++)
		strbuf_addf(out, "I %s\n", r->inputs.v[i]);
	for (size_t i = 0; i < r->nvariants; i++) {
		const struct variant_state *v = &r->variants[i];
		strbuf_addf(out, "V %s %s %llu %s %s\n", v->name, v->image_sha256,
			    (unsigned long long)v->package.size, v->package.sha256,
			    v->package.path);
	}
}

void
cache_dump(const char *pages_key, const char *catalog_sha,
	   const struct entry *entries, size_t n, const struct manifest *files,
	   struct strbuf *out)
{
	strbuf_addf(out, "%s\npages %s\ncatalog %s\ncounts %zu %zu\n", CACHE_MAGIC,
		    pages_key, catalog_sha, n, files->n);
	for (size_t i = 0; i < n; i++) {
		const struct entry *en = &entries[i];
		strbuf_addf(out, "K %s %s %zu %zu\n", en->name, en->dir_stat,
			    en->nrels, en->tags.n);
		for (size_t t = 0; t < en->tags.n; t++)
			strbuf_addf(out, "T %s\n", en->tags.v[t]);
		for (size_t r = 0; r < en->nrels; r++)
			dump_release(out, &en->rels[r]);
		dump_blob(out, en->row);
		dump_blob(out, en->terms);
	}
	for (size_t i = 0; i < files->n; i++)
		strbuf_addf(out, "F %s %s\n", files->v[i].sha256, files->v[i].path);
}
