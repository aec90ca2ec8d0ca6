#include "harness.h"
#include "ref.h"

TEST(semver_accepts_and_refuses)
{
	struct semver v;

	CHECK(semver_parse("1.2.3", &v) == 0 && v.major == 1 && v.minor == 2 && v.patch == 3);
	CHECK(semver_parse("0.0.0", &v) == 0);
	CHECK(semver_parse("1.0.0-rc.1+build.5", &v) == 0);
	CHECK_STR(v.pre, "rc.1");
	CHECK(semver_parse("v1.0.0", &v) < 0);
	CHECK(semver_parse("1.0", &v) < 0);
	CHECK(semver_parse("01.0.0", &v) < 0);
	CHECK(semver_parse("1.0.0-01", &v) < 0);
	CHECK(semver_parse("1.0.0-", &v) < 0);
	CHECK(semver_parse("1.0.0+", &v) < 0);
	CHECK(semver_parse("1.0.0-a..b", &v) < 0);
	CHECK(semver_parse("1.0.0 ", &v) < 0);
}

TEST(semver_orders_like_the_spec)
{
	/* The precedence example of semver.org, in order. */
	const char *order[] = { "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
				"1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
				"1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0",
				"10.0.0" };
	size_t n = sizeof order / sizeof *order;

	for (size_t i = 0; i + 1 < n; i++) {
		CHECK(version_cmp(order[i], order[i + 1]) < 0);
		CHECK(version_cmp(order[i + 1], order[i]) > 0);
	}
	CHECK(version_cmp("1.0.0+a", "1.0.0+b") == 0);
	CHECK(version_cmp("bogus", "0.0.1") < 0);
}

TEST(ref_parse_forms)
{
	struct dv_err e = { "" };
	char buf[REF_STRING_MAX];
	struct ref r;

	CHECK(ref_parse("pebble", &r, &e) == 0);
	CHECK_STR(r.name, "pebble");
	CHECK_STR(r.variant, "");
	CHECK_STR(r.version, "");
	CHECK(ref_parse("pebble:debug@0.1.0", &r, &e) == 0);
	CHECK_STR(r.variant, "debug");
	CHECK_STR(r.version, "0.1.0");
	CHECK_STR(ref_string(&r, buf), "pebble:debug@0.1.0");
	CHECK(ref_parse("nautilus:infiniband", &r, &e) == 0);
	CHECK_STR(ref_string(&r, buf), "nautilus:infiniband");
	CHECK(ref_parse("reef@1.2.3", &r, &e) == 0);
	CHECK_STR(ref_string(&r, buf), "reef@1.2.3");
}

TEST(ref_parse_errors_say_what_is_wrong)
{
	struct dv_err e = { "" };
	struct ref r;

	CHECK(ref_parse("Pebble", &r, &e) < 0);
	CHECK_CONTAINS(e.msg, "reference 'Pebble'");
	CHECK(ref_parse("pebble@v1", &r, &e) < 0);
	CHECK_CONTAINS(e.msg, "semantic version");
	CHECK(ref_parse("pebble@1.0.0:debug", &r, &e) < 0);
	CHECK_CONTAINS(e.msg, "variant comes before the version");
	CHECK(ref_parse("pebble:", &r, &e) < 0);
	CHECK(ref_parse("", &r, &e) < 0);
	CHECK(ref_parse("a/b", &r, &e) < 0);
	CHECK(ref_parse("pebble:x@1.0.0@2.0.0", &r, &e) < 0);
}

TEST(names_and_tags)
{
	CHECK(name_valid("pebble"));
	CHECK(name_valid("a-1"));
	CHECK(name_valid("9lives"));
	CHECK(!name_valid("-a"));
	CHECK(!name_valid("A"));
	CHECK(!name_valid("a_b"));
	CHECK(!name_valid(""));
	CHECK(!name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	CHECK(tag_valid("hpc"));
	CHECK(!tag_valid("HPC"));
	CHECK(!tag_valid("a b"));
}
