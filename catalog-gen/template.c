/*
 * template.c — HTML escaping and the page templates of site-templates/.
 *
 * A template is HTML with {{name}} (the value, HTML-escaped) and {{&name}}
 * (the value as is: HTML that catalog-gen built and escaped itself).  The
 * names a template may use are fixed per template, so a typo in a template
 * is an error when it is loaded, not a blank on some page.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog-gen.h"
#include "fs.h"
#include "strbuf.h"

#define TEMPLATE_MAX (1 << 20)

struct segment {
	const char *text;       /* literal text, or NULL for a variable */
	size_t len;
	int var;                /* index into the template's names */
	bool raw;
};

struct tmpl {
	char *name;
	struct strbuf src;
	const char *const *names;
	struct segment *segs;
	size_t nsegs;
};

void
html_escape(struct strbuf *sb, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		strbuf_add(sb, run, (size_t)(s - run));
		strbuf_addstr(sb, rep);
		run = s + 1;
	}
	strbuf_add(sb, run, (size_t)(s - run));
}

static int
find_name(const char *const *names, const char *s, size_t len)
{
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], s, len))
			return i;
	return -1;
}

static int
line_of(const struct tmpl *t, const char *p)
{
	int line = 1;

	for (const char *s = t->src.buf; s < p; s++)
		line += *s == '\n';
	return line;
}

static void
add_segment(struct tmpl *t, const char *text, size_t len, int var, bool raw)
{
	t->segs = xrealloc(t->segs, (t->nsegs + 1) * sizeof *t->segs);
	t->segs[t->nsegs++] = (struct segment){ text, len, var, raw };
}

static char *
names_text(const char *const *names)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; names[i]; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", names[i]);
	return strbuf_detach(&sb, NULL);
}

/* One {{...}} at p (just after the braces); *end gets the byte after it. */
static int
parse_var(struct tmpl *t, const char *p, const char **end, struct dv_err *e)
{
	bool raw = *p == '&';
	const char *name = p + raw, *close = strstr(name, "}}");
	size_t len = close ? (size_t)(close - name) : 0;
	int var = close ? find_name(t->names, name, len) : -1;
	char *known;

	if (!close)
		return dv_errf(e, "template '%s': line %d: '{{' without '}}'",
			       t->name, line_of(t, p));
	if (var < 0) {
		known = names_text(t->names);
		dv_errf(e, "template '%s': line %d: unknown variable '%.*s' (known: "
			"%s)", t->name, line_of(t, p), (int)len, name, known);
		free(known);
		return -1;
	}
	add_segment(t, NULL, 0, var, raw);
	*end = close + 2;
	return 0;
}

static int
parse(struct tmpl *t, struct dv_err *e)
{
	const char *p = t->src.buf, *open;

	while ((open = strstr(p, "{{"))) {
		if (open > p)
			add_segment(t, p, (size_t)(open - p), -1, false);
		if (parse_var(t, open + 2, &p, e) < 0)
			return -1;
	}
	if (*p)
		add_segment(t, p, strlen(p), -1, false);
	return 0;
}

struct tmpl *
tmpl_load(const char *dir, const char *name, const char *const *names,
	  struct dv_err *e)
{
	struct tmpl *t = xcalloc(1, sizeof *t);
	char *path = fs_join(dir, name);

	t->name = xstrdup(name);
	t->names = names;
	strbuf_init(&t->src);
	if (fs_read_file(path, TEMPLATE_MAX, &t->src, e) < 0 || parse(t, e) < 0) {
		tmpl_free(t);
		t = NULL;
	}
	free(path);
	return t;
}

void
tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	free(t->name);
	strbuf_release(&t->src);
	free(t->segs);
	free(t);
}

const char *
tmpl_source(const struct tmpl *t, size_t *len)
{
	*len = t->src.len;
	return t->src.buf;
}

void
tmpl_expand(const struct tmpl *t, const char *const *values, struct strbuf *out)
{
	for (size_t i = 0; i < t->nsegs; i++) {
		const struct segment *s = &t->segs[i];
		const char *v;
		if (s->text) {
			strbuf_add(out, s->text, s->len);
			continue;
		}
		v = values[s->var] ? values[s->var] : "";
		if (s->raw)
			strbuf_addstr(out, v);
		else
			html_escape(out, v);
	}
}

static bool
has_templates(const char *dir)
{
	char *p = fs_join(dir, "layout.html");
	bool ok = fs_is_file(p);

	free(p);
	return ok;
}

/*
 * The installed layout (BINDIR/../share/diver/site-templates) or the source
 * tree (build/bin or build/NAME/bin, a few levels under site-templates/).
 */
static char *
beside_executable(void)
{
	char exe[PATH_MAX], *dir;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	dir = xasprintf("%s/../share/diver/site-templates", exe);
	if (has_templates(dir))
		return dir;
	for (int up = 1; up <= 4; up++) {
		char *slash = strrchr(exe, '/');
		free(dir);
		if (!slash)
			return NULL;
		*slash = '\0';
		dir = xasprintf("%s/site-templates", exe);
		if (has_templates(dir))
			return dir;
	}
	free(dir);
	return NULL;
}

char *
templates_dir(const char *given, struct dv_err *e)
{
	const char *env = getenv("DIVER_TEMPLATES");
	char *dir;

	if (given || (env && *env)) {
		const char *d = given ? given : env;
		if (!has_templates(d))
			return dv_errf(e, "templates directory '%s' has no layout.html",
				       d), NULL;
		return xstrdup(d);
	}
	if ((dir = beside_executable()))
		return dir;
	dir = xstrdup(DIVER_DATADIR "/site-templates");
	if (has_templates(dir))
		return dir;
	dv_errf(e, "cannot find the site templates (looked beside the program and "
		"in '%s'); set DIVER_TEMPLATES or pass --templates", dir);
	free(dir);
	return NULL;
}
