#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "harness.h"
#include "strbuf.h"

#define SHA "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"
#define FILEREF(p) "{\"path\":\"" p "\",\"format\":\"multiboot1\",\"sha256\":\"" SHA "\",\"size\":3}"
#define RELEASE(v, variants) \
	"{\"name\":\"pebble\",\"version\":\"" v "\",\"summary\":\"s\",\"license\":\"MIT\"," \
	"\"tags\":[\"t\"],\"arch\":\"x86_64\",\"modes\":[\"vm\"],\"build\":\"none\"," \
	"\"variants\":{" variants "}}"
#define VARIANT(n) "\"" n "\":{\"image\":" FILEREF(n "/image") ",\"package\":" FILEREF("pkg/" n)
#define CATALOG(rels) \
	"{\"format\":1,\"serial\":5,\"generated\":\"2026-01-01T00:00:00Z\"," \
	"\"expires\":\"2027-01-01T00:00:00Z\",\"kernels\":[{\"name\":\"pebble\"," \
	"\"releases\":[" rels "]}]}"

static const char text[] = CATALOG(
	RELEASE("0.1.0", VARIANT("default") "}," VARIANT("debug") "}") ","
	RELEASE("0.2.0", VARIANT("default") "}") ","
	RELEASE("0.10.0-rc.1", VARIANT("default") "}"));

TEST(parse_sorts_releases_newest_first)
{
	struct dv_err e = { "" };
	struct catalog c;

	CHECK(catalog_parse(text, strlen(text), "catalog.json", &c, &e) == 0);
	if (e.msg[0])
		harness_fail(__FILE__, __LINE__, "%s", e.msg);
	CHECK(c.nkernels == 1);
	CHECK(c.kernels[0].nreleases == 3);
	CHECK_STR(c.kernels[0].releases[0].version, "0.10.0-rc.1");
	CHECK_STR(c.kernels[0].releases[2].version, "0.1.0");
	catalog_release(&c);
}

TEST(resolve_references)
{
	const struct kernel_variant *var;
	const struct kernel *rel;
	struct dv_err e = { "" };
	struct catalog c;
	struct ref r;

	catalog_parse(text, strlen(text), "catalog.json", &c, &e);
	ref_parse("pebble", &r, &e);
	CHECK(catalog_resolve(&c, &r, &rel, &var, &e) == 0);
	CHECK_STR(rel->version, "0.10.0-rc.1");
	CHECK_STR(var->name, "default");
	/* newest release that has the variant */
	ref_parse("pebble:debug", &r, &e);
	CHECK(catalog_resolve(&c, &r, &rel, &var, &e) == 0);
	CHECK_STR(rel->version, "0.1.0");
	ref_parse("pebble@0.2.0", &r, &e);
	CHECK(catalog_resolve(&c, &r, &rel, &var, &e) == 0);
	CHECK_STR(rel->version, "0.2.0");
	ref_parse("pebble:gpu", &r, &e);
	CHECK(catalog_resolve(&c, &r, &rel, &var, &e) < 0);
	CHECK_STR(e.msg, "no variant 'gpu' of 'pebble:gpu'; variants are default, debug");
	ref_parse("pebble@9.9.9", &r, &e);
	CHECK(catalog_resolve(&c, &r, &rel, &var, &e) < 0);
	CHECK_CONTAINS(e.msg, "releases of pebble are 0.10.0-rc.1, 0.2.0, 0.1.0");
	ref_parse("nautilus", &r, &e);
	CHECK(catalog_resolve(&c, &r, &rel, &var, &e) < 0);
	CHECK_STR(e.msg, "no kernel named 'nautilus'");
	catalog_release(&c);
}

TEST(dump_parses_back_identically)
{
	struct dv_err e = { "" };
	struct catalog c, d;
	char *a, *b;

	catalog_parse(text, strlen(text), "catalog.json", &c, &e);
	a = catalog_dump(&c);
	CHECK(catalog_parse(a, strlen(a), "dumped", &d, &e) == 0);
	b = catalog_dump(&d);
	CHECK_STR(a, b);
	free(a);
	free(b);
	catalog_release(&c);
	catalog_release(&d);
}

TEST(refuses_duplicates_and_bad_headers)
{
	static const char dup[] = CATALOG(
		RELEASE("0.1.0", VARIANT("default") "}") ","
		RELEASE("0.1.0+b", VARIANT("default") "}"));
	static const char fmt[] = "{\"format\":2,\"serial\":1,\"generated\":\"x\","
				  "\"expires\":\"y\",\"kernels\":[]}";
	struct dv_err e = { "" };
	struct catalog c;

	CHECK(catalog_parse(dup, strlen(dup), "catalog.json", &c, &e) < 0);
	CHECK_CONTAINS(e.msg, "version 0.1.0+b appears twice");
	CHECK(catalog_parse(fmt, strlen(fmt), "catalog.json", &c, &e) < 0);
	CHECK_CONTAINS(e.msg, "field \"format\"");
}

TEST(expiry)
{
	struct dv_err e = { "" };
	struct catalog c;

	catalog_parse(text, strlen(text), "catalog.json", &c, &e);
	CHECK(catalog_check_expiry(&c, 1767225600 /* 2026-01-01 */, "x", &e) == 0);
	CHECK(catalog_check_expiry(&c, 1798761600 /* 2027-01-01 */, "x", &e) < 0);
	CHECK_CONTAINS(e.msg, "expired at 2027-01-01T00:00:00Z");
	catalog_release(&c);
}

TEST(signature_checks_separate_wrong_key_from_bad_signature)
{
	char *k1 = xasprintf("%s/k1", harness_tmpdir()), *k2 = xasprintf("%s/k2", harness_tmpdir());
	unsigned char sig[SIG_LEN];
	struct sigkey *s1, *s2;
	struct pubkey *p2, *p1;
	struct dv_err e = { "" };
	char id[KEYID_HEX];
	struct catalog c;

	key_generate(k1, &e);
	key_generate(k2, &e);
	s1 = sigkey_load(k1, &e);
	s2 = sigkey_load(k2, &e);
	p1 = sigkey_public(s1);
	p2 = sigkey_public(s2);
	catalog_parse(text, strlen(text), "catalog.json", &c, &e);
	sigkey_id(s1, id);
	c.key = xstrdup(id);
	sigkey_sign(s1, text, strlen(text), sig, &e);
	CHECK(catalog_check_signature(&c, text, strlen(text), sig, SIG_LEN, &p1, 1, "w", &e) == 0);
	CHECK(catalog_check_signature(&c, text, strlen(text), sig, SIG_LEN, &p2, 1, "w", &e) < 0);
	CHECK_CONTAINS(e.msg, "not trusted");
	sig[5] ^= 0x40;
	CHECK(catalog_check_signature(&c, text, strlen(text), sig, SIG_LEN, &p1, 1, "w", &e) < 0);
	CHECK_CONTAINS(e.msg, "signature verification failed");
	CHECK(catalog_check_signature(&c, text, strlen(text), NULL, 0, &p1, 1, "w", &e) < 0);
	CHECK_CONTAINS(e.msg, "no signature");
	catalog_release(&c);
	sigkey_free(s1);
	sigkey_free(s2);
	pubkey_free(p1);
	pubkey_free(p2);
	free(k1);
	free(k2);
}
