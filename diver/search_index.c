/*
 * search_index.c — data/sources/NAME/search.idx: what `diver search`
 * needs of a source's catalog, so that a search reads one flat file
 * instead of parsing the whole catalog (a 100k-kernel catalog.json is
 * ~60 MB of JSON; the index is scanned in milliseconds).
 *
 * The file is text.  Its first line is "diver-search-index 1 SIZE MTIME",
 * the size and mtime (ns) of the verified catalog.json it was made from;
 * a catalog copy that changed makes it stale, and it is made again.
 * Then one line per kernel (its newest release), fields separated by tabs:
 * name, version, build, tags, arch, modes (comma-separated lists),
 * summary, and last the lowercased text a search matches against (name,
 * tags, summary, description).  Tabs and newlines in fields become spaces.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diver.h"
#include "fs.h"
#include "search_index.h"
#include "strbuf.h"

#define MAGIC "diver-search-index 1"

static char *
index_path(const struct home *h, const struct source *src)
{
	return xasprintf("%s/sources/%s/search.idx", h->data, src->name);
}

static char *
catalog_copy(const struct home *h, const struct source *src)
{
	return xasprintf("%s/sources/%s/catalog.json", h->data, src->name);
}

static void
add_field(struct strbuf *sb, const char *s, bool lower)
{
	for (; s && *s; s++) {
		char c = *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s;
		if (lower && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		strbuf_addch(sb, c);
	}
}

static void
add_list(struct strbuf *sb, const struct strlist *l, char sep, bool lower)
{
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			strbuf_addch(sb, sep);
		add_field(sb, l->v[i], lower);
	}
}

int
search_index_write(const struct home *h, const struct source *src,
		   const struct catalog *cat, struct dv_err *e)
{
	char *copy = catalog_copy(h, src), *path = index_path(h, src);
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int rc = -1;

	if (stat(copy, &st) < 0) {
		dv_errno(e, "cannot read '%s'", copy);
		goto out;
	}
	strbuf_addf(&sb, MAGIC " %lld %lld\n", (long long)st.st_size,
		    (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
	for (size_t i = 0; i < cat->nkernels; i++) {
		const struct kernel *k = &cat->kernels[i].releases[0];
		add_field(&sb, k->name, false);
		strbuf_addch(&sb, '\t');
		add_field(&sb, k->version, false);
		strbuf_addch(&sb, '\t');
		add_field(&sb, k->build, false);
		strbuf_addch(&sb, '\t');
		add_list(&sb, &k->tags, ',', false);
		strbuf_addch(&sb, '\t');
		add_field(&sb, k->arch, false);
		strbuf_addch(&sb, '\t');
		add_list(&sb, &k->modes, ',', false);
		strbuf_addch(&sb, '\t');
		add_field(&sb, k->summary, false);
		strbuf_addch(&sb, '\t');
		add_field(&sb, k->name, true);
		strbuf_addch(&sb, ' ');
		add_list(&sb, &k->tags, ' ', true);
		strbuf_addch(&sb, ' ');
		add_field(&sb, k->summary, true);
		strbuf_addch(&sb, ' ');
		add_field(&sb, k->description, true);
		strbuf_addch(&sb, '\n');
	}
	rc = fs_write_atomic(path, sb.buf, sb.len, 0644, e);
out:
	strbuf_release(&sb);
	free(copy);
	free(path);
	return rc;
}

/* 1 when the index at path was made from the catalog copy as it is now. */
static int
fresh(const char *map, size_t len, const char *copy)
{
	struct stat st;
	char want[96];

	if (stat(copy, &st) < 0)
		return 0;
	snprintf(want, sizeof want, MAGIC " %lld %lld\n", (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
	return len >= strlen(want) && !memcmp(map, want, strlen(want));
}

static int
map(const char *path, struct search_index *ix)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size == 0) {
		close(fd);
		return -1;
	}
	ix->len = (size_t)st.st_size;
	ix->map = mmap(NULL, ix->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (ix->map == MAP_FAILED) {
		ix->map = NULL;
		return -1;
	}
	return 0;
}

int
search_index_open(const struct home *h, struct source *src,
		  struct search_index *ix, struct dv_err *e)
{
	char *path = index_path(h, src), *copy = catalog_copy(h, src);
	int rc = -1;

	memset(ix, 0, sizeof *ix);
	if (map(path, ix) == 0 && fresh(ix->map, ix->len, copy)) {
		rc = 0;
		goto out;
	}
	search_index_close(ix);
	/* none yet, or stale: make it from the verified catalog (once) */
	if (source_open(h, src, e) < 0 || search_index_write(h, src, &src->cat, e) < 0)
		goto out;
	if (map(path, ix) < 0) {
		dv_errno(e, "cannot read '%s'", path);
		goto out;
	}
	rc = 0;
out:
	if (rc == 0) {
		ix->pos = memchr(ix->map, '\n', ix->len);
		ix->pos = ix->pos ? ix->pos + 1 : ix->map + ix->len;
	}
	free(path);
	free(copy);
	return rc;
}

int
search_index_next(struct search_index *ix, struct search_row *row)
{
	const char *end = ix->map + ix->len, *nl, *f[8];
	size_t n = 0;

	if (!ix->map || ix->pos >= end)
		return 0;
	nl = memchr(ix->pos, '\n', (size_t)(end - ix->pos));
	if (!nl)
		nl = end;
	f[n++] = ix->pos;
	for (const char *p = ix->pos; p < nl && n < 8; p++)
		if (*p == '\t')
			f[n++] = p + 1;
	ix->pos = nl + 1;
	if (n != 8)
		return search_index_next(ix, row);      /* a damaged line: skip it */
	for (size_t i = 0; i < 8; i++) {
		const char *stop = i + 1 < 8 ? f[i + 1] - 1 : nl;
		row->field[i] = f[i];
		row->flen[i] = (int)(stop - f[i]);
	}
	return 1;
}

/*
 * memmem by way of memchr (vectorized in glibc, unlike memmem's two-way
 * search) on the needle's rarest letter, by English letter frequency.
 */
static const char *
find(const char *hay, size_t len, const char *needle, size_t n)
{
	static const char common[] = " etaoinshrdlcumwfgypbvkjxqz";
	size_t pick = 0, best = 0;
	const char *p = hay, *end = hay + len, *c;

	for (size_t i = 0; i < n; i++) {
		size_t rank = (c = strchr(common, needle[i])) && needle[i]
			      ? (size_t)(c - common) : sizeof common;
		if (rank > best) {
			best = rank;
			pick = i;
		}
	}
	while (p + pick < end &&
	       (c = memchr(p + pick, needle[pick], (size_t)(end - p - pick)))) {
		const char *start = c - pick;
		if ((size_t)(end - start) < n)
			return NULL;
		if (!memcmp(start, needle, n))
			return start;
		p = start + 1;
	}
	return NULL;
}

int
search_index_next_containing(struct search_index *ix, const char *needle,
			     struct search_row *row)
{
	const char *end = ix->map + ix->len, *hit, *nl;
	size_t n = strlen(needle);

	if (!n || !ix->map || ix->pos >= end)
		return n ? 0 : search_index_next(ix, row);
	hit = find(ix->pos, (size_t)(end - ix->pos), needle, n);
	if (!hit) {
		ix->pos = end;
		return 0;
	}
	nl = memrchr(ix->pos, '\n', (size_t)(hit - ix->pos));
	ix->pos = nl ? nl + 1 : ix->pos;
	return search_index_next(ix, row);
}

void
search_index_close(struct search_index *ix)
{
	if (ix->map)
		munmap((void *)ix->map, ix->len);
	memset(ix, 0, sizeof *ix);
}
