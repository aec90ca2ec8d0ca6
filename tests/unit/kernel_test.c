#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernel.h"
#include "strbuf.h"

#define SHA "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"
#define GOOD \
	"{\"name\":\"pebble\",\"version\":\"0.1.0\",\"summary\":\"tiny\"," \
	"\"license\":\"MIT\",\"tags\":[\"tiny\",\"hpc\"],\"arch\":\"x86_64\"," \
	"\"modes\":[\"vm\"],\"build\":\"link\"," \
	"\"toolchain\":{\"name\":\"gcc-i386\",\"version\":\"12.2.0\"}," \
	"\"interface\":{\"boot\":\"multiboot1\",\"console\":\"framed-uart-1\"}," \
	"\"variants\":{\"debug\":{\"image\":{\"path\":\"debug/image\"," \
	"\"format\":\"multiboot1\",\"sha256\":\"" SHA "\",\"size\":3}}," \
	"\"default\":{\"image\":{\"path\":\"default/image\",\"format\":" \
	"\"multiboot1\",\"sha256\":\"" SHA "\",\"size\":3},\"kit\":{\"path\":" \
	"\"default/kit\"}}}%s}"

/* GOOD with one replacement applied, then validated. */
static int
try(const char *from, const char *to, const char *extra, struct kernel *k,
    struct dv_err *e)
{
	char *text = xasprintf(GOOD, extra ? extra : "");
	struct strbuf sb = STRBUF_INIT;
	char *at = from ? strstr(text, from) : NULL;
	jv *v;
	int rc = -1;

	if (from && !at) {
		dv_errf(e, "test bug: '%s' not in fixture", from);
		free(text);
		return -1;
	}
	if (at) {
		strbuf_add(&sb, text, (size_t)(at - text));
		strbuf_addstr(&sb, to);
		strbuf_addstr(&sb, at + strlen(from));
	} else {
		strbuf_addstr(&sb, text);
	}
	v = jv_parse(sb.buf, sb.len, "k/kernel.json", e);
	if (v)
		rc = kernel_from_jv(v, "k/kernel.json", 0, k, e);
	jv_free(v);
	strbuf_release(&sb);
	free(text);
	return rc;
}

TEST(valid_kernel_json)
{
	struct dv_err e = { "" };
	struct kernel k;

	CHECK(try(NULL, NULL, NULL, &k, &e) == 0);
	CHECK_STR(k.name, "pebble");
	CHECK(k.nvariants == 2);
	CHECK_STR(k.variants[0].name, "default");      /* default first */
	CHECK_STR(k.variants[1].name, "debug");
	CHECK_STR(k.variants[0].kit_path, "default/kit");
	CHECK(k.variants[0].image.size == 3);
	CHECK(kernel_has_mode(&k, "vm") && !kernel_has_mode(&k, "hw"));
	CHECK_STR(kernel_interface(&k, "console"), "framed-uart-1");
	CHECK(k.warnings.n == 0);
	kernel_release(&k);
}

TEST(errors_name_file_field_and_expectation)
{
	static const struct { const char *from, *to, *want; } cases[] = {
		{ "\"0.1.0\"", "\"v1\"", "field \"version\": expected a semantic version like 1.2.0, got \"v1\"" },
		{ "\"pebble\"", "\"Pebble\"", "field \"name\"" },
		{ "[\"tiny\",", "[\"Tiny Tag\",", "field \"tags[0]\"" },
		{ "\"hpc\"", "\"tiny\"", "no duplicates" },
		{ "\"vm\"", "\"cloud\"", "field \"modes[0]\": expected one of vm, splitvm or hw" },
		{ "\"link\"", "\"static\"", "field \"build\": expected one of link, module or none" },
		{ "\"x86_64\"", "\"pdp11\"", "field \"arch\"" },
		{ "\"default\":{", "\"other\":{", "a variant named \"default\" is required" },
		{ "\"size\":3}}", "\"size\":-3}}", "variants.debug.image.size" },
		{ "\"debug/image\"", "\"../image\"", "contains '..'" },
		{ "\"debug/image\"", "\"/etc/passwd\"", "absolute path" },
		{ "\"summary\":\"tiny\",", "", "field \"summary\" is missing" },
		{ "\"framed-uart-1\"", "\"telepathy\"", "interface.console" },
		{ "\"toolchain\":{\"name\":\"gcc-i386\",\"version\":\"12.2.0\"},", "", "toolchain" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct dv_err e = { "" };
		struct kernel k;
		if (try(cases[i].from, cases[i].to, NULL, &k, &e) == 0) {
			harness_fail(__FILE__, __LINE__, "case %zu accepted", i);
			kernel_release(&k);
			continue;
		}
		CHECK_CONTAINS(e.msg, "k/kernel.json");
		CHECK_CONTAINS(e.msg, cases[i].want);
	}
}

TEST(unknown_fields_warn)
{
	struct dv_err e = { "" };
	struct kernel k;

	CHECK(try(NULL, NULL, ",\"colour\":\"red\"", &k, &e) == 0);
	CHECK(k.warnings.n == 1);
	if (k.warnings.n)
		CHECK_CONTAINS(k.warnings.v[0], "unknown field \"colour\"");
	kernel_release(&k);
}

TEST(round_trip_through_json)
{
	struct dv_err e = { "" };
	struct kernel k, k2;
	char *a, *b;
	jv *j;

	CHECK(try(NULL, NULL, NULL, &k, &e) == 0);
	j = kernel_to_jv(&k, false);
	a = jv_dump(j, 0);
	CHECK(kernel_from_jv(j, "again", 0, &k2, &e) == 0);
	jv_free(j);
	j = kernel_to_jv(&k2, false);
	b = jv_dump(j, 0);
	CHECK_STR(a, b);
	CHECK(jv_get(jv_get(jv_get(j, "variants"), "default"), "package") == NULL);
	jv_free(j);
	free(a);
	free(b);
	kernel_release(&k);
	kernel_release(&k2);
}

TEST(catalog_entries_need_packages)
{
	struct dv_err e = { "" };
	struct kernel k;
	char *text = xasprintf(GOOD, "");
	jv *v = jv_parse(text, strlen(text), "c", &e);

	CHECK(kernel_from_jv(v, "catalog.json", KERNEL_IN_CATALOG, &k, &e) < 0);
	CHECK_CONTAINS(e.msg, "variants.default.package");
	jv_free(v);
	free(text);
}
