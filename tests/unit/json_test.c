#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "json.h"

TEST(parse_reports_position)
{
	struct dv_err e = { "" };

	CHECK(jv_parse("{\"a\": }", 7, "x.json", &e) == NULL);
	CHECK_CONTAINS(e.msg, "x.json: line 1 column");
	CHECK(jv_parse("{\"a\":1,\"a\":2}", 13, "dup.json", &e) == NULL);
	CHECK_CONTAINS(e.msg, "duplicate");
}

TEST(typed_access)
{
	const char *text = "{\"s\":\"str\",\"i\":42,\"b\":true,\"a\":[1,2],\"o\":{}}";
	struct dv_err e = { "" };
	jv *v = jv_parse(text, strlen(text), "t", &e);

	CHECK(v != NULL);
	if (!v)
		return;
	CHECK_STR(jv_str(jv_get(v, "s")), "str");
	CHECK(jv_str(jv_get(v, "i")) == NULL);
	CHECK(jv_is_int(jv_get(v, "i")) && jv_int(jv_get(v, "i")) == 42);
	CHECK(jv_bool(jv_get(v, "b")));
	CHECK(jv_len(jv_get(v, "a")) == 2);
	CHECK(jv_get(v, "missing") == NULL);
	CHECK_STR(jv_type_name(jv_get(v, "o")), "an object");
	CHECK_STR(jv_type_name(NULL), "nothing");
	jv_free(v);
}

TEST(dump_keeps_order_and_is_stable)
{
	jv *o = jv_object();
	char *a, *b;

	jv_set(o, "zeta", jv_integer(1));
	jv_set(o, "alpha", jv_string("x\"y"));
	a = jv_dump(o, 0);
	CHECK_STR(a, "{\"zeta\":1,\"alpha\":\"x\\\"y\"}");
	b = jv_dump(o, JV_PRETTY);
	CHECK(b[strlen(b) - 1] == '\n');
	free(a);
	free(b);
	a = jv_dump(o, JV_SORT_KEYS);
	CHECK_STR(a, "{\"alpha\":\"x\\\"y\",\"zeta\":1}");
	free(a);
	jv_free(o);
}

TEST(non_utf8_strings_are_sanitized)
{
	jv *s = jv_string("caf\xe9");
	char *d = jv_dump(s, 0);

	CHECK_STR(d, "\"caf?\"");
	free(d);
	jv_free(s);
}
