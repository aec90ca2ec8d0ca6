#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "fs.h"
#include "harness.h"
#include "strbuf.h"

static struct sigkey *
key(const char *name, struct pubkey **pub)
{
	char *path = fs_join(harness_tmpdir(), name);
	struct dv_err e = { "" };
	struct sigkey *k;

	if (!fs_exists(path))
		key_generate(path, &e);
	k = sigkey_load(path, &e);
	*pub = sigkey_public(k);
	free(path);
	return k;
}

static char *
make_bundle(const char *name, struct sigkey *k, long long serial, time_t expires)
{
	/* an import checks the catalog: this one names no packages */
	static const char catalog[] = "{\"format\":1,\"serial\":1,"
		"\"generated\":\"2026-01-01T00:00:00Z\",\"expires\":\"2099-01-01T00:00:00Z\","
		"\"kernels\":[],\"toolchains\":[]}\n";
	char *path = fs_join(harness_tmpdir(), name);
	struct bundle_source src[] = {
		{ .path = "catalog.json", .data = catalog, .len = sizeof catalog - 1 },
		{ .path = "pkg/a/1.0.0/default.tar.zst", .data = "AAAA", .len = 4 },
	};
	struct bundle_header h = { .serial = serial, .created = time(NULL),
				   .expires = expires, .level = 3 };
	struct dv_err e = { "" };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (bundle_write(fd, k, &h, src, 2, &e) < 0)
		harness_fail(__FILE__, __LINE__, "%s", e.msg);
	close(fd);
	return path;
}

static struct bundle_read_opts
opts(struct pubkey **pub)
{
	return (struct bundle_read_opts){ .keys = pub, .nkeys = 1, .now = time(NULL) };
}

TEST(write_verify_and_wrong_key)
{
	struct pubkey *p1, *p2;
	struct sigkey *k1 = key("k1", &p1), *k2 = key("k2", &p2);
	char *b = make_bundle("ok.dvb", k1, 10, time(NULL) + 3600);
	struct bundle_read_opts o = opts(&p1);
	struct bundle_manifest m;
	struct dv_err e = { "" };

	CHECK(bundle_read(b, &o, &m, &e) == 0);
	CHECK(m.nmembers == 2 && m.serial == 10);
	bundle_manifest_release(&m);
	o = opts(&p2);
	CHECK(bundle_read(b, &o, &m, &e) < 0);
	CHECK_CONTAINS(e.msg, "wrong key");
	sigkey_free(k1);
	sigkey_free(k2);
	pubkey_free(p1);
	pubkey_free(p2);
	free(b);
}

TEST(expiry_and_override)
{
	struct pubkey *p;
	struct sigkey *k = key("k1", &p);
	char *b = make_bundle("old.dvb", k, 1, time(NULL) - 10);
	struct bundle_read_opts o = opts(&p);
	struct bundle_manifest m;
	struct dv_err e = { "" };

	CHECK(bundle_read(b, &o, &m, &e) < 0);
	CHECK_CONTAINS(e.msg, "expired");
	CHECK_CONTAINS(e.msg, "--ignore-expiry");
	o.ignore_expiry = true;
	CHECK(bundle_read(b, &o, &m, &e) == 0);
	bundle_manifest_release(&m);
	sigkey_free(k);
	pubkey_free(p);
	free(b);
}

TEST(import_is_atomic_and_refuses_rollback)
{
	struct pubkey *p;
	struct sigkey *k = key("k1", &p);
	char *newer = make_bundle("n.dvb", k, 20, time(NULL) + 3600);
	char *older = make_bundle("o.dvb", k, 19, time(NULL) + 3600);
	char *mirror = fs_join(harness_tmpdir(), "mirror"), *f;
	struct bundle_read_opts o = opts(&p);
	struct bundle_manifest m;
	struct dv_err e = { "" };
	struct strbuf sb = STRBUF_INIT;

	CHECK(bundle_import(newer, &o, mirror, &m, &e) == 0);
	bundle_manifest_release(&m);
	f = fs_join(mirror, "pkg/a/1.0.0/default.tar.zst");
	CHECK(fs_read_file(f, 100, &sb, &e) == 0);
	CHECK_STR(sb.buf, "AAAA");
	free(f);
	/* re-importing the same bundle is a no-op */
	CHECK(bundle_import(newer, &o, mirror, &m, &e) == 0);
	bundle_manifest_release(&m);
	CHECK(bundle_import(older, &o, mirror, &m, &e) < 0);
	CHECK_CONTAINS(e.msg, "rollback");
	f = fs_join(mirror, "mirror.json");
	strbuf_reset(&sb);
	fs_read_file(f, 10000, &sb, &e);
	CHECK_CONTAINS(sb.buf, "\"serial\": 20");
	free(f);
	strbuf_release(&sb);
	sigkey_free(k);
	pubkey_free(p);
	free(newer);
	free(older);
	free(mirror);
}

TEST(manifest_rules)
{
	static const char *bad[] = {
		"{\"format\":1,\"serial\":1,\"created\":\"2026-01-01T00:00:00Z\",\"expires\":\"2026-01-01T00:00:00Z\",\"key\":\"0123456789abcdef\",\"members\":[{\"path\":\"../x\",\"size\":1,\"sha256\":\"98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4\"}]}",
		"{\"format\":1,\"serial\":1,\"created\":\"2026-01-01T00:00:00Z\",\"expires\":\"2026-01-01T00:00:00Z\",\"key\":\"0123456789abcdef\",\"members\":[{\"path\":\"x\",\"size\":1,\"sha256\":\"98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4\"},{\"path\":\"x\",\"size\":1,\"sha256\":\"98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4\"}]}",
		"{\"format\":1,\"serial\":1,\"created\":\"2026-01-01T00:00:00Z\",\"expires\":\"2026-01-01T00:00:00Z\",\"key\":\"0123456789abcdef\",\"members\":[{\"path\":\"x\",\"size\":1,\"sha256\":\"XYZ\"}]}",
		"{\"format\":9,\"serial\":1,\"created\":\"2026-01-01T00:00:00Z\",\"expires\":\"2026-01-01T00:00:00Z\",\"key\":\"0123456789abcdef\",\"members\":[]}",
	};
	static const char *want[] = { "'..'", "listed twice", "sha256", "format" };
	struct bundle_manifest m;

	for (size_t i = 0; i < 4; i++) {
		struct dv_err e = { "" };
		CHECK(bundle_manifest_parse(bad[i], strlen(bad[i]), "B", &m, &e) < 0);
		CHECK_CONTAINS(e.msg, want[i]);
	}
}
