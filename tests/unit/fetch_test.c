/*
 * fetch: the URL helpers, and the errors of a download that cannot happen
 * (no server listens on port 1).  Transfers themselves are tested against
 * nginx and a misbehaving server in tests/t3200-http.sh.
 */
#include <stdlib.h>
#include <unistd.h>

#include "fetch.h"
#include "fs.h"
#include "harness.h"

TEST(fetch_recognizes_urls)
{
	CHECK(fetch_is_url("http://example.org/"));
	CHECK(fetch_is_url("https://example.org/catalog.json"));
	CHECK(!fetch_is_url("file:///srv/site"));
	CHECK(!fetch_is_url("/srv/site"));
	CHECK(!fetch_is_url("httpx://a"));
}

TEST(fetch_join_puts_one_slash)
{
	char *s;

	CHECK_STR(s = fetch_join("http://h/a", "pkg/x"), "http://h/a/pkg/x");
	free(s);
	CHECK_STR(s = fetch_join("http://h/a//", "/pkg/x"), "http://h/a/pkg/x");
	free(s);
	CHECK_STR(s = fetch_join("http://h", "catalog.json"), "http://h/catalog.json");
	free(s);
}

TEST(fetch_errors_name_the_url_and_leave_nothing)
{
	struct dv_err e = { "" };
	struct strbuf sb = STRBUF_INIT;
	char dir[] = "/tmp/fetch-test-XXXXXX", *dest;
	struct fetch_opts o = { "x", NULL, 0, 0, false };

	CHECK(fetch_to_buf("http://127.0.0.1:1/catalog.json", 100, &sb, &e) < 0);
	CHECK_CONTAINS(e.msg, "cannot download 'http://127.0.0.1:1/catalog.json'");
	CHECK(fetch_to_buf("ftp://127.0.0.1/x", 100, &sb, &e) < 0);
	CHECK(mkdtemp(dir) != NULL);
	dest = fs_join(dir, "pkg.tar.zst");
	CHECK(fetch_to_file("http://127.0.0.1:1/pkg.tar.zst", dest, &o, &e) < 0);
	CHECK_CONTAINS(e.msg, "cannot download 'http://127.0.0.1:1/pkg.tar.zst'");
	CHECK(!fs_exists(dest));
	free(dest);
	dest = fs_join(dir, "pkg.tar.zst.part");
	CHECK(!fs_exists(dest));
	fs_rm_rf(dir, NULL);
	free(dest);
	strbuf_release(&sb);
}
