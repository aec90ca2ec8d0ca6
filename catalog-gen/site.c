/*
 * site.c — the HTML pages of the catalog.  This first cut writes one
 * index.html that lists every kernel, its newest release, tags, modes and
 * packages; every piece of metadata is HTML-escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog-gen.h"
#include "fs.h"
#include "strbuf.h"

static void
html_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&#39;"); break;
		default: strbuf_addch(sb, *s);
		}
	}
}

static void
add_list(struct strbuf *sb, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		strbuf_addstr(sb, i ? ", " : "");
		html_escape(sb, l->v[i]);
	}
}

static void
add_kernel(struct strbuf *sb, const struct catalog_kernel *ck)
{
	const struct kernel *k = &ck->releases[0];

	strbuf_addstr(sb, "<tr><td><strong>");
	html_escape(sb, k->name);
	strbuf_addstr(sb, "</strong></td><td>");
	html_escape(sb, k->summary);
	strbuf_addstr(sb, "</td><td>");
	html_escape(sb, k->version);
	strbuf_addstr(sb, "</td><td>");
	add_list(sb, &k->tags);
	strbuf_addstr(sb, "</td><td>");
	add_list(sb, &k->modes);
	strbuf_addstr(sb, "</td><td>");
	html_escape(sb, k->arch);
	strbuf_addstr(sb, "</td><td>");
	for (size_t i = 0; i < k->nvariants; i++) {
		const struct kernel_variant *v = &k->variants[i];
		strbuf_addstr(sb, i ? " " : "");
		strbuf_addstr(sb, "<a href=\"");
		html_escape(sb, v->package.path);
		strbuf_addstr(sb, "\">");
		html_escape(sb, v->name);
		strbuf_addstr(sb, "</a>");
	}
	strbuf_addstr(sb, "</td></tr>\n");
}

int
write_site(const struct gen_opts *o, const struct catalog *cat, const char *out,
	   struct dv_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = fs_join(out, "index.html");
	int rc;

	(void)o;
	strbuf_addstr(&sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n<title>Kernel catalog</title>\n"
		      "</head>\n<body>\n<h1>Kernel catalog</h1>\n");
	strbuf_addf(&sb, "<p>%zu kernels. Generated %s. Machine index: "
		    "<a href=\"catalog.json\">catalog.json</a>.</p>\n",
		    cat->nkernels, cat->generated);
	strbuf_addstr(&sb, "<table>\n<tr><th>Kernel</th><th>Summary</th>"
		      "<th>Newest</th><th>Tags</th><th>Modes</th><th>Arch</th>"
		      "<th>Packages</th></tr>\n");
	for (size_t i = 0; i < cat->nkernels; i++)
		add_kernel(&sb, &cat->kernels[i]);
	strbuf_addstr(&sb, "</table>\n</body>\n</html>\n");
	rc = fs_write_atomic(path, sb.buf, sb.len, 0644, e);
	strbuf_release(&sb);
	free(path);
	return rc;
}
