/*
 * The examples in docs/formats.md, parsed by the code that reads the real
 * files: the docs cannot drift from the formats.
 */
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "catalog.h"
#include "fs.h"
#include "harness.h"
#include "kernel.h"
#include "strbuf.h"

/* The fenced block after "<!-- example: NAME -->", or NULL. */
static char *
example(const char *name)
{
	const char *src = getenv("DIVER_SRC");
	char *path = xasprintf("%s/docs/formats.md", src ? src : ".");
	char *marker = xasprintf("<!-- example: %s -->", name), *out = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct dv_err e = { "" };
	const char *p, *end;

	if (fs_read_file(path, 1 << 20, &sb, &e) == 0 && (p = strstr(sb.buf, marker)) &&
	    (p = strstr(p, "```json\n")) && (end = strstr(p + 8, "\n```")))
		out = xstrndup(p + 8, (size_t)(end - p - 8));
	if (!out)
		harness_fail(__FILE__, __LINE__, "no example '%s' in %s", name, path);
	strbuf_release(&sb);
	free(marker);
	free(path);
	return out;
}

TEST(kernel_json_example)
{
	char *text = example("kernel.json");
	struct dv_err e = { "" };
	struct kernel k;
	jv *v;

	if (!text)
		return;
	v = jv_parse(text, strlen(text), "formats.md", &e);
	CHECK(v && kernel_from_jv(v, "formats.md", 0, &k, &e) == 0);
	if (e.msg[0])
		harness_fail(__FILE__, __LINE__, "%s", e.msg);
	else
		kernel_release(&k);
	jv_free(v);
	free(text);
}

TEST(catalog_json_example)
{
	char *text = example("catalog.json");
	struct dv_err e = { "" };
	struct catalog c;

	if (!text)
		return;
	CHECK(catalog_parse(text, strlen(text), "formats.md", &c, &e) == 0);
	if (e.msg[0])
		harness_fail(__FILE__, __LINE__, "%s", e.msg);
	else
		catalog_release(&c);
	free(text);
}

TEST(bundle_json_example)
{
	char *text = example("BUNDLE.json");
	struct bundle_manifest m;
	struct dv_err e = { "" };

	if (!text)
		return;
	CHECK(bundle_manifest_parse(text, strlen(text), "formats.md", &m, &e) == 0);
	if (e.msg[0])
		harness_fail(__FILE__, __LINE__, "%s", e.msg);
	else
		bundle_manifest_release(&m);
	free(text);
}
