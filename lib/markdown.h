/*
 * markdown — CommonMark rendering with GitHub's tables (cmark-gfm); the
 * only module that sees cmark.
 *
 * Owns: turning the Markdown a publisher writes (README.md, the
 * "description" field) into HTML that is safe to put in a catalog page, and
 * into plain words for search indexes.  Safe means: raw HTML in the input is
 * never passed through (cmark replaces it with a comment), and links or
 * images with dangerous URL schemes (javascript:, vbscript:, file:, and
 * data: except images) are emptied.  Invalid UTF-8 is replaced with U+FFFD.
 * Does not own the page around the HTML (catalog-gen's templates).
 */
#ifndef DIVER_MARKDOWN_H
#define DIVER_MARKDOWN_H

#include <stddef.h>

enum {
	/* Leave out a level-1 heading that opens the document (the page
	 * around it shows the title already). */
	MARKDOWN_SKIP_TITLE = 1,
};

/* HTML for len bytes of Markdown; never NULL; the caller frees it. */
char *markdown_to_html(const char *md, size_t len, int flags);

/*
 * The readable text of the document as words separated by single spaces:
 * headings, paragraphs, list items, inline code and link text, but not
 * code blocks, raw HTML or URLs.  Never NULL; the caller frees it.
 */
char *markdown_to_text(const char *md, size_t len);

#endif
