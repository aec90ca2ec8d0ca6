#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "markdown.h"

static char *
html(const char *md, int flags)
{
	return markdown_to_html(md, strlen(md), flags);
}

TEST(renders_commonmark)
{
	char *s = html("# Title\n\nSome *text* and `code`.\n\n- a\n- b\n", 0);

	CHECK_CONTAINS(s, "<h1>Title</h1>");
	CHECK_CONTAINS(s, "<em>text</em>");
	CHECK_CONTAINS(s, "<code>code</code>");
	CHECK_CONTAINS(s, "<li>a</li>");
	free(s);
}

TEST(raw_html_is_not_passed_through)
{
	char *s = html("<script>alert(1)</script>\n\nhi <b onclick=x>there</b>\n"
		       "\n<img src=x onerror=alert(1)>\n", 0);

	CHECK(!strstr(s, "<script"));
	CHECK(!strstr(s, "<b "));
	CHECK(!strstr(s, "<img"));
	CHECK(!strstr(s, "onerror"));
	CHECK_CONTAINS(s, "raw HTML omitted");
	free(s);
}

TEST(dangerous_links_are_emptied)
{
	char *s = html("[a](javascript:alert(1)) [b](vbscript:x) [c](file:///etc/passwd)"
		       " [d](https://example.org/) ![e](data:image/png;base64,AAAA)\n", 0);

	CHECK(!strstr(s, "javascript:"));
	CHECK(!strstr(s, "vbscript:"));
	CHECK(!strstr(s, "file:"));
	CHECK_CONTAINS(s, "href=\"https://example.org/\"");
	CHECK_CONTAINS(s, "src=\"data:image/png");
	free(s);
}

TEST(text_is_escaped)
{
	char *s = html("a < b & \"c\"\n", 0);

	CHECK_CONTAINS(s, "a &lt; b &amp; &quot;c&quot;");
	free(s);
}

TEST(skip_title_drops_only_a_leading_h1)
{
	char *s = html("# pebble\n\nBody.\n\n# Later\n", MARKDOWN_SKIP_TITLE);
	char *t = html("## Sub\n\nBody.\n", MARKDOWN_SKIP_TITLE);

	CHECK(!strstr(s, "pebble"));
	CHECK_CONTAINS(s, "<h1>Later</h1>");
	CHECK_CONTAINS(t, "<h2>Sub</h2>");
	free(s);
	free(t);
}

TEST(invalid_utf8_is_replaced)
{
	char *s = html("bad \xff byte\n", 0);

	CHECK_CONTAINS(s, "bad \xef\xbf\xbd byte");
	free(s);
}

TEST(text_keeps_words_not_code_blocks_or_urls)
{
	const char *md = "# Pebble kernel\n\nRuns *one* app,\nlinked in. See "
			 "[the docs](https://x.org/y).\n\n```sh\nmake secret\n```\n\n"
			 "- `diver` item\n\n<div>raw</div>\n";
	char *s = markdown_to_text(md, strlen(md));

	CHECK_STR(s, "Pebble kernel Runs one app, linked in. See the docs. diver item");
	free(s);
}

TEST(empty_input)
{
	char *s = markdown_to_text("", 0), *h = html("", 0);

	CHECK_STR(s, "");
	CHECK_STR(h, "");
	free(s);
	free(h);
}

TEST(tables_render_and_their_cells_are_words)
{
	const char *md = "| header | what |\n|---|---|\n| `stdio.h` | printf |\n";
	char *s = html("| header | what |\n|---|---|\n| `stdio.h` | <script>x</script> |\n", 0);
	char *t = markdown_to_text(md, strlen(md));

	CHECK_CONTAINS(s, "<table>");
	CHECK_CONTAINS(s, "<th>header</th>");
	CHECK_CONTAINS(s, "<td><code>stdio.h</code></td>");
	CHECK(!strstr(s, "<script"));
	CHECK_STR(t, "header what stdio.h printf");
	free(s);
	free(t);
}
