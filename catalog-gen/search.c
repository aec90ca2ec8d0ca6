/*
 * search.c — search-index.js, read by site-templates/assets/search.js.
 *
 * Four fields, best first: 0 name, 1 tag (with arch and modes), 2 summary,
 * 3 README (the first README_WORDS distinct words of the description and
 * the README).  A term is a run of [a-z0-9] (ASCII, lowercased); a kernel
 * lists each of its terms once, in the best field it occurs in.  Each
 * field is written as its sorted terms ("t", space-separated) and, for each
 * term, the ids of the kernels that have it ("p", one space-separated string
 * per term): gaps between ascending ids, minus one, as little-endian base-64
 * varints (five bits a digit, 32 set on every digit but the last).  An id is
 * the kernel's position in the list on index.html.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog-gen.h"
#include "strbuf.h"

#define FIELDS 4
#define README_WORDS 40

static const char digits[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

static const char *const stopwords[] = {
	"about", "after", "all", "also", "an", "and", "any", "are", "as", "at",
	"be", "been", "but", "by", "can", "do", "does", "each", "for", "from",
	"has", "have", "how", "if", "in", "into", "is", "it", "its", "may",
	"more", "most", "no", "not", "of", "on", "one", "only", "or", "other",
	"our", "out", "so", "some", "such", "than", "that", "the", "their",
	"them", "then", "there", "these", "they", "this", "those", "to", "too",
	"up", "use", "used", "uses", "very", "was", "we", "were", "what", "when",
	"which", "while", "who", "will", "with", "you", "your", NULL,
};

struct terms {
	struct strbuf field[FIELDS];
	size_t count[FIELDS];
};

static bool
is_word_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c >= 'A' && c <= 'Z');
}

/* Whether the word w (len bytes) is already listed in any field. */
static bool
listed(const struct terms *t, const char *w, size_t len)
{
	for (int f = 0; f < FIELDS; f++) {
		const char *s = t->field[f].buf, *end = s + t->field[f].len;
		while (s < end) {
			const char *sp = memchr(s, ' ', (size_t)(end - s));
			size_t n = sp ? (size_t)(sp - s) : (size_t)(end - s);
			if (n == len && !memcmp(s, w, len))
				return true;
			s += n + 1;
		}
	}
	return false;
}

static bool
keep(const char *w, size_t len, int field)
{
	size_t digits_only = 1;

	for (size_t i = 0; i < len; i++)
		digits_only &= w[i] >= '0' && w[i] <= '9';
	if (field < 2)
		return true;
	if (digits_only || len < (field == 2 ? 2u : 3u) || len > 40)
		return false;
	for (size_t i = 0; stopwords[i]; i++)
		if (strlen(stopwords[i]) == len && !memcmp(stopwords[i], w, len))
			return false;
	return true;
}

/* Add the words of text to field f, up to max terms in that field. */
static void
add_words(struct terms *t, int f, const char *text, size_t max)
{
	char w[64];

	while (*text && t->count[f] < max) {
		size_t len = 0;
		while (*text && !is_word_byte(*text))
			text++;
		for (; is_word_byte(*text); text++)
			if (len < sizeof w)
				w[len++] = (char)(*text >= 'A' && *text <= 'Z' ?
						  *text + 32 : *text);
		if (len == 0 || len == sizeof w || !keep(w, len, f) || listed(t, w, len))
			continue;
		if (t->field[f].len)
			strbuf_addch(&t->field[f], ' ');
		strbuf_add(&t->field[f], w, len);
		t->count[f]++;
	}
}

char *
search_terms(const struct kernel *k, const char *readme_text)
{
	struct terms t;
	struct strbuf out = STRBUF_INIT;

	memset(&t, 0, sizeof t);
	for (int f = 0; f < FIELDS; f++)
		strbuf_init(&t.field[f]);
	add_words(&t, 0, k->name, SIZE_MAX);
	for (size_t i = 0; i < k->tags.n; i++)
		add_words(&t, 1, k->tags.v[i], SIZE_MAX);
	add_words(&t, 1, k->arch, SIZE_MAX);
	for (size_t i = 0; i < k->modes.n; i++)
		add_words(&t, 1, k->modes.v[i], SIZE_MAX);
	add_words(&t, 2, k->summary, SIZE_MAX);
	if (k->description)
		add_words(&t, 3, k->description, README_WORDS);
	add_words(&t, 3, readme_text, README_WORDS);
	for (int f = 0; f < FIELDS; f++) {
		strbuf_add(&out, t.field[f].buf, t.field[f].len);
		strbuf_addch(&out, '\n');
		strbuf_release(&t.field[f]);
	}
	return strbuf_detach(&out, NULL);
}

/* A term of one field and the ids that have it. */
struct posting {
	const char *term;
	size_t len;
	size_t last;            /* last id added, plus one */
	struct strbuf ids;
};

struct table {
	struct posting *v;
	size_t n, cap;
};

static uint64_t
hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void
grow(struct table *t)
{
	struct table bigger = { xcalloc(t->cap ? 2 * t->cap : 1024, sizeof *t->v),
				t->n, t->cap ? 2 * t->cap : 1024 };

	for (size_t i = 0; i < t->cap; i++) {
		size_t j;
		if (!t->v[i].term)
			continue;
		j = hash(t->v[i].term, t->v[i].len) & (bigger.cap - 1);
		while (bigger.v[j].term)
			j = (j + 1) & (bigger.cap - 1);
		bigger.v[j] = t->v[i];
	}
	free(t->v);
	*t = bigger;
}

static struct posting *
lookup(struct table *t, const char *term, size_t len)
{
	size_t j;

	if (2 * (t->n + 1) > t->cap)
		grow(t);
	j = hash(term, len) & (t->cap - 1);
	while (t->v[j].term) {
		if (t->v[j].len == len && !memcmp(t->v[j].term, term, len))
			return &t->v[j];
		j = (j + 1) & (t->cap - 1);
	}
	t->n++;
	t->v[j].term = term;
	t->v[j].len = len;
	strbuf_init(&t->v[j].ids);
	return &t->v[j];
}

static void
add_id(struct posting *p, size_t id)
{
	size_t v = id - p->last;        /* the gap minus one */

	while (v >= 32) {
		strbuf_addch(&p->ids, digits[(v & 31) | 32]);
		v >>= 5;
	}
	strbuf_addch(&p->ids, digits[v]);
	p->last = id + 1;
}

/* Line f of terms (four lines, see search_terms), as [*start, *end). */
static void
field_line(const char *terms, int f, const char **start, const char **end)
{
	const char *s = terms;

	for (int i = 0; i < f && s; i++) {
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	*start = s ? s : "";
	*end = s ? strchrnul(s, '\n') : *start;
}

static int
posting_cmp(const void *a, const void *b)
{
	const struct posting *x = *(const struct posting *const *)a;
	const struct posting *y = *(const struct posting *const *)b;
	int c = memcmp(x->term, y->term, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void
write_field(struct table *t, struct strbuf *out)
{
	struct posting **sorted = xcalloc(t->n + 1, sizeof *sorted);
	size_t k = 0;

	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].term)
			sorted[k++] = &t->v[i];
	qsort(sorted, k, sizeof *sorted, posting_cmp);
	strbuf_addstr(out, "{\"t\":\"");
	for (size_t i = 0; i < k; i++) {
		strbuf_addstr(out, i ? " " : "");
		strbuf_add(out, sorted[i]->term, sorted[i]->len);
	}
	strbuf_addstr(out, "\",\n\"p\":\"");
	for (size_t i = 0; i < k; i++) {
		strbuf_addstr(out, i ? " " : "");
		strbuf_add(out, sorted[i]->ids.buf, sorted[i]->ids.len);
		strbuf_release(&sorted[i]->ids);
	}
	strbuf_addstr(out, "\"}");
	free(sorted);
}

void
search_index_js(const struct entry *entries, size_t n, struct strbuf *out)
{
	strbuf_addf(out, "/* Search index of this catalog, written by catalog-gen and "
		    "read by assets/search.js.\n   A script, not JSON, so that "
		    "search works from file:// too. */\n"
		    "var DIVER_INDEX = {\"v\":1,\"n\":%zu,\"f\":[\n", n);
	for (int f = 0; f < FIELDS; f++) {
		struct table t = { NULL, 0, 0 };
		for (size_t i = 0; i < n; i++) {
			const char *s, *end;
			field_line(entries[i].terms, f, &s, &end);
			while (s < end) {
				const char *sp = memchr(s, ' ', (size_t)(end - s));
				const char *we = sp ? sp : end;
				if (we > s)
					add_id(lookup(&t, s, (size_t)(we - s)), i);
				s = we + 1;
			}
		}
		write_field(&t, out);
		strbuf_addstr(out, f + 1 < FIELDS ? ",\n" : "\n");
		free(t.v);
	}
	strbuf_addstr(out, "]};\n");
}
