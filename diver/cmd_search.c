/*
 * diver search [TEXT] [--tag T] [--arch A] [--mode M] [--json]
 *
 * Kernels across every source whose name, tags, summary or description
 * contain TEXT (case-insensitive), newest release of each.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "diver.h"
#include "search_index.h"
#include "strbuf.h"

enum { OPT_TAG = 256, OPT_ARCH, OPT_MODE, OPT_JSON, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_TAG, "tag", "TAG", "only kernels with this tag" },
	{ OPT_ARCH, "arch", "ARCH", "only kernels for this architecture" },
	{ OPT_MODE, "mode", "MODE", "only kernels that support vm, splitvm or hw" },
	{ OPT_JSON, "json", NULL, "print JSON for scripts" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver search [TEXT] [--tag TAG] [--arch ARCH] [--mode MODE] [--json]",
	"Find kernels in every source by name, tag, summary or description.",
	options,
};

struct filter {
	const char *text, *tag, *arch, *mode;
};

/* A kernel found: the release (--json), or its index row's fields. */
struct hit {
	const struct kernel *k;
	const char *source;
	char *name, *version, *build, *tags, *summary;
};

static bool
matches(const struct filter *f, const struct kernel *k)
{
	if (f->tag && !strlist_has(&k->tags, f->tag))
		return false;
	if (f->arch && strcmp(k->arch, f->arch))
		return false;
	if (f->mode && !kernel_has_mode(k, f->mode))
		return false;
	if (!f->text)
		return true;
	if (strcasestr(k->name, f->text) || strcasestr(k->summary, f->text) ||
	    (k->description && strcasestr(k->description, f->text)))
		return true;
	for (size_t i = 0; i < k->tags.n; i++)
		if (strcasestr(k->tags.v[i], f->text))
			return true;
	return false;
}

static void
print_json(const struct hit *hits, size_t n)
{
	jv *arr = jv_array();
	char *s;

	for (size_t i = 0; i < n; i++) {
		jv *o = kernel_to_jv(hits[i].k, false);
		jv_set(o, "source", jv_string(hits[i].source));
		jv_push(arr, o);
	}
	s = jv_dump(arr, JV_PRETTY);
	fputs(s, stdout);
	free(s);
	jv_free(arr);
}

static int
widest(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

static int
terminal_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 40)
		return ws.ws_col;
	return 0;
}

static void
print_table(const struct hit *hits, size_t n)
{
	int wn = 4, wv = 7, wt = 4, ws = 6, width = terminal_width();
	bool bold = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	struct strbuf out = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		wn = widest(wn, hits[i].name);
		wv = widest(wv, hits[i].version);
		wt = widest(wt, hits[i].tags);
		ws = widest(ws, hits[i].source);
	}
	printf("%s%-*s  %-*s  %-6s  %-*s  %-*s  %s%s\n", bold ? "\033[1m" : "", wn,
	       "NAME", wv, "VERSION", "BUILD", wt, "TAGS", ws, "SOURCE", "SUMMARY",
	       bold ? "\033[0m" : "");
	for (size_t i = 0; i < n; i++) {
		const struct hit *k = &hits[i];
		int used = wn + wv + 6 + wt + ws + 10;
		int room = width ? width - used : (int)strlen(k->summary);
		strbuf_addf(&out, "%-*s  %-*s  %-6s  %-*s  %-*s  %.*s\n", wn, k->name,
			    wv, k->version, k->build, wt, k->tags, ws, k->source,
			    room > 10 ? room : 10, k->summary);
		if (out.len > 1 << 16) {
			fwrite(out.buf, 1, out.len, stdout);
			strbuf_reset(&out);
		}
	}
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static bool
in_list(const char *list, int len, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = list, *end = list + len; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		if ((size_t)(stop - p) == n && !memcmp(p, want, n))
			return true;
		p = stop + 1;
	}
	return false;
}

static bool
row_matches(const struct filter *f, const char *lower, const struct search_row *r)
{
	if (f->tag && !in_list(r->field[SI_TAGS], r->flen[SI_TAGS], f->tag))
		return false;
	if (f->arch && ((size_t)r->flen[SI_ARCH] != strlen(f->arch) ||
			memcmp(r->field[SI_ARCH], f->arch, strlen(f->arch))))
		return false;
	if (f->mode && !in_list(r->field[SI_MODES], r->flen[SI_MODES], f->mode))
		return false;
	return !lower || memmem(r->field[SI_TEXT], (size_t)r->flen[SI_TEXT], lower,
				strlen(lower));
}

/* The table's way: each source's search index, not its whole catalog. */
static int
collect_rows(const struct home *h, struct sources *s, const struct filter *f,
	     struct hit **hits, size_t *n, struct dv_err *e)
{
	char *lower = f->text ? xstrdup(f->text) : NULL;
	/* every row that matches holds this in its line */
	const char *needle = lower ? lower : f->tag ? f->tag : f->mode ? f->mode : "";
	size_t alloc = 0;

	for (char *p = lower; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (size_t i = 0; i < s->n; i++) {
		struct search_index ix;
		struct search_row r;
		if (search_index_open(h, &s->v[i], &ix, e) < 0) {
			free(lower);
			return -1;
		}
		while (search_index_next_containing(&ix, needle, &r)) {
			struct hit *k;
			if (!row_matches(f, lower, &r))
				continue;
			if (*n == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				*hits = xrealloc(*hits, alloc * sizeof **hits);
			}
			k = &(*hits)[(*n)++];
			memset(k, 0, sizeof *k);
			k->source = s->v[i].name;
			k->name = xstrndup(r.field[SI_NAME], (size_t)r.flen[SI_NAME]);
			k->version = xstrndup(r.field[SI_VERSION], (size_t)r.flen[SI_VERSION]);
			k->build = xstrndup(r.field[SI_BUILD], (size_t)r.flen[SI_BUILD]);
			k->tags = xstrndup(r.field[SI_TAGS], (size_t)r.flen[SI_TAGS]);
			k->summary = xstrndup(r.field[SI_SUMMARY], (size_t)r.flen[SI_SUMMARY]);
		}
		search_index_close(&ix);
	}
	free(lower);
	return 0;
}

static int
collect(const struct home *h, struct sources *s, const struct filter *f,
	struct hit **hits, size_t *n, struct dv_err *e)
{
	if (s->n == 0)
		return dv_errf(e, "no sources yet; add one with 'diver source add "
			       "NAME URL|DIR|BUNDLE.dvb'");
	for (size_t i = 0; i < s->n; i++) {
		if (source_open(h, &s->v[i], e) < 0)
			return -1;
		for (size_t j = 0; j < s->v[i].cat.nkernels; j++) {
			const struct kernel *k = &s->v[i].cat.kernels[j].releases[0];
			if (!matches(f, k))
				continue;
			*hits = xrealloc(*hits, (*n + 1) * sizeof **hits);
			(*hits)[(*n)++] = (struct hit){ .k = k, .source = s->v[i].name };
		}
	}
	return 0;
}

static int
search(const struct filter *f, bool json)
{
	struct dv_err e = { "" };
	struct hit *hits = NULL;
	struct sources s = { 0 };
	struct home h;
	size_t n = 0;
	int rc = 0;

	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (sources_load(&h, &s, &e) < 0 ||
	    (s.n == 0 && dv_errf(&e, "no sources yet; add one with 'diver source "
				  "add NAME URL|DIR|BUNDLE.dvb'")) ||
	    (json ? collect(&h, &s, f, &hits, &n, &e)
		  : collect_rows(&h, &s, f, &hits, &n, &e)) < 0) {
		rc = fail(e.msg);
	} else if (json) {
		print_json(hits, n);
	} else if (n) {
		print_table(hits, n);
	} else {
		fprintf(stderr, "no kernel matches; 'diver search' with no words "
			"lists them all\n");
		rc = 1;
	}
	for (size_t i = 0; i < n; i++) {
		free(hits[i].name);
		free(hits[i].version);
		free(hits[i].build);
		free(hits[i].tags);
		free(hits[i].summary);
	}
	free(hits);
	sources_release(&s);
	home_release(&h);
	return rc;
}

int
cmd_search(int argc, char **argv)
{
	struct filter f = { 0 };
	bool json = false;
	char *arg;
	int c;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case OPT_TAG: f.tag = arg; break;
		case OPT_ARCH: f.arch = arg; break;
		case OPT_MODE: f.mode = arg; break;
		case OPT_JSON: json = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver search", "bad option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("diver search", "give at most one TEXT (quote words)");
	f.text = optind < argc ? argv[optind] : NULL;
	return search(&f, json);
}
