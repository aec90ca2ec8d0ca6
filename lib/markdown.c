#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* CMARK_OPT_SAFE is cmark's default since 0.29; named for the reader. */
#define OPTIONS (CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8)

/*
 * CommonMark with GitHub's table extension, as publishers write READMEs;
 * the tables' extension list goes to the renderer as well.  *parser is
 * freed by the caller, after rendering.
 */
static cmark_node *
parse(const char *md, size_t len, cmark_parser **parser)
{
	cmark_syntax_extension *table;
	cmark_node *doc;

	cmark_gfm_core_extensions_ensure_registered();
	*parser = cmark_parser_new(OPTIONS);
	table = cmark_find_syntax_extension("table");
	if (!*parser || !table || !cmark_parser_attach_syntax_extension(*parser, table))
		abort();        /* only on out of memory, as strbuf does */
	cmark_parser_feed(*parser, md, len);
	doc = cmark_parser_finish(*parser);
	if (!doc)
		abort();
	return doc;
}

static void
skip_title(cmark_node *doc)
{
	cmark_node *first = cmark_node_first_child(doc);

	if (first && cmark_node_get_type(first) == CMARK_NODE_HEADING &&
	    cmark_node_get_heading_level(first) == 1)
		cmark_node_free(first);
}

char *
markdown_to_html(const char *md, size_t len, int flags)
{
	cmark_parser *parser;
	cmark_node *doc = parse(md, len, &parser);
	char *html, *out;

	if (flags & MARKDOWN_SKIP_TITLE)
		skip_title(doc);
	html = cmark_render_html(doc, OPTIONS, cmark_parser_get_syntax_extensions(parser));
	cmark_node_free(doc);
	cmark_parser_free(parser);
	/* Hand back memory from our own allocator, so callers just free(). */
	out = xstrdup(html);
	free(html);
	return out;
}

static void
add_words(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		bool space = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
		if (!space)
			strbuf_addch(sb, *s);
		else if (sb->len && sb->buf[sb->len - 1] != ' ')
			strbuf_addch(sb, ' ');
	}
}

/* Nodes whose end separates words; the table extension's types are not
 * exported as constants, only by name. */
static bool
is_block(cmark_node *n, cmark_node_type t)
{
	return t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING ||
	       t == CMARK_NODE_ITEM || t == CMARK_NODE_BLOCK_QUOTE ||
	       !strcmp(cmark_node_get_type_string(n), "table_cell");
}

char *
markdown_to_text(const char *md, size_t len)
{
	cmark_parser *parser;
	cmark_node *doc = parse(md, len, &parser);
	cmark_iter *it = cmark_iter_new(doc);
	struct strbuf sb = STRBUF_INIT;
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_ENTER &&
		    (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE))
			add_words(&sb, cmark_node_get_literal(n));
		else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK ||
			 (ev == CMARK_EVENT_EXIT && is_block(n, t)))
			add_words(&sb, " ");
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	cmark_parser_free(parser);
	if (sb.len && sb.buf[sb.len - 1] == ' ')
		strbuf_setlen(&sb, sb.len - 1);
	return strbuf_detach(&sb, NULL);
}
