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

struct hit {
	const struct kernel *k;
	const char *source;
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

static char *
joined(const struct strlist *l)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < l->n; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", l->v[i]);
	return strbuf_detach(&sb, NULL);
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

	for (size_t i = 0; i < n; i++) {
		char *tags = joined(&hits[i].k->tags);
		wn = widest(wn, hits[i].k->name);
		wv = widest(wv, hits[i].k->version);
		wt = widest(wt, tags);
		ws = widest(ws, hits[i].source);
		free(tags);
	}
	printf("%-*s  %-*s  %-6s  %-*s  %-*s  %s\n", wn, "NAME", wv, "VERSION",
	       "BUILD", wt, "TAGS", ws, "SOURCE", "SUMMARY");
	for (size_t i = 0; i < n; i++) {
		const struct kernel *k = hits[i].k;
		char *tags = joined(&k->tags);
		int used = wn + wv + 6 + wt + ws + 10;
		int room = width ? width - used : (int)strlen(k->summary);
		printf("%-*s  %-*s  %-6s  %-*s  %-*s  %.*s\n", wn, k->name, wv,
		       k->version, k->build, wt, tags, ws, hits[i].source,
		       room > 10 ? room : 10, k->summary);
		free(tags);
	}
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
			(*hits)[(*n)++] = (struct hit){ k, s->v[i].name };
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
	if (sources_load(&h, &s, &e) < 0 || collect(&h, &s, f, &hits, &n, &e) < 0) {
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
