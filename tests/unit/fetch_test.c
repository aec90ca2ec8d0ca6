/*
 * fetch: the URL helpers, and the errors of a download that cannot happen
 * (no server listens on port 1), and transfers against a small server in
 * a thread; tests/t3200-http.sh tests them with nginx and diver pull.
 */
#include <stdlib.h>
#include <sys/stat.h>
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

/*
 * A one-connection-at-a-time HTTP server on 127.0.0.1 in a thread, serving
 * one 1 MiB body in the way server.mode says, so that the transfers
 * themselves (hashing, limits, resuming, starting over, stalls) are tested
 * here too, beside the nginx and Python servers of t3200.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>

#include "crypto.h"

enum serve_mode { SERVE_NORMAL, SERVE_CUT, SERVE_NORANGE, SERVE_STALL, SERVE_404 };

#define BODY_SIZE (1024 * 1024)

static struct {
	int listener, port;
	volatile enum serve_mode mode;
	unsigned char body[BODY_SIZE];
	char body_hex[SHA256_HEX];
	char range[64];         /* the last request's Range value, or "" */
	int requests;
	pthread_t thread;
} server;

static void
send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0 && (w = send(fd, c, n, MSG_NOSIGNAL)) > 0) {
		c += w;
		n -= (size_t)w;
	}
}

static void
serve_one(int fd)
{
	char req[4096], head[256], *r;
	size_t len = 0, start = 0, n;
	ssize_t got;

	while (len < sizeof req - 1 && (got = recv(fd, req + len, sizeof req - 1 - len, 0)) > 0) {
		len += (size_t)got;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[len] = '\0';
	server.requests++;
	server.range[0] = '\0';
	if ((r = strcasestr(req, "\r\nRange: bytes="))) {
		sscanf(r + 15, "%63[0-9-]", server.range);
		if (server.mode != SERVE_NORANGE)
			start = strtoul(server.range, NULL, 10);
	}
	if (server.mode == SERVE_404) {
		send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 45);
		return;
	}
	if (start)
		snprintf(head, sizeof head, "HTTP/1.1 206 Partial Content\r\nContent-Length: %zu\r\n"
			 "Content-Range: bytes %zu-%d/%d\r\n\r\n", BODY_SIZE - start,
			 start, BODY_SIZE - 1, BODY_SIZE);
	else
		snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
			 BODY_SIZE);
	send_all(fd, head, strlen(head));
	n = BODY_SIZE - start;
	if (server.mode == SERVE_CUT || server.mode == SERVE_STALL)
		n = (BODY_SIZE / 2 > start ? BODY_SIZE / 2 - start : 0);
	send_all(fd, server.body + start, n);
	/* stalled until the test moves on (curl averages its speed over a
	 * few seconds, so the stall outlasts DIVER_FETCH_STALL by some) */
	for (int i = 0; i < 300 && server.mode == SERVE_STALL; i++)
		usleep(100 * 1000);
}

static void *
serve(void *arg)
{
	int fd;

	(void)arg;
	while ((fd = accept(server.listener, NULL, NULL)) >= 0) {
		serve_one(fd);
		close(fd);
	}
	return NULL;
}

/* Start the server once; returns the URL of its one file. */
static char *
server_url(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t alen = sizeof a;

	if (!server.port) {
		for (size_t i = 0; i < BODY_SIZE; i++)
			server.body[i] = (unsigned char)(i * 2654435761u >> 13);
		sha256_buf_hex(server.body, BODY_SIZE, server.body_hex);
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		server.listener = socket(AF_INET, SOCK_STREAM, 0);
		if (bind(server.listener, (struct sockaddr *)&a, sizeof a) < 0 ||
		    listen(server.listener, 8) < 0 ||
		    getsockname(server.listener, (struct sockaddr *)&a, &alen) < 0 ||
		    pthread_create(&server.thread, NULL, serve, NULL))
			return NULL;
		server.port = ntohs(a.sin_port);
	}
	server.mode = SERVE_NORMAL;
	return xasprintf("http://127.0.0.1:%d/pkg.tar.zst", server.port);
}

static uint64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? 0 : (uint64_t)st.st_size;
}

static bool
file_is_body(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct dv_err e;
	bool same = fs_read_file(path, BODY_SIZE + 1, &sb, &e) == 0 &&
		    sb.len == BODY_SIZE && !memcmp(sb.buf, server.body, BODY_SIZE);

	strbuf_release(&sb);
	return same;
}

TEST(fetch_to_file_checks_the_hash_while_streaming)
{
	char *url = server_url(), *dest = fs_join(harness_tmpdir(), "whole");
	char *part = xasprintf("%s.part", dest);
	struct fetch_opts o = { "x", NULL, BODY_SIZE, 0, false };
	struct dv_err e = { "" };

	CHECK(url != NULL);
	o.sha256 = server.body_hex;
	CHECK(fetch_to_file(url, dest, &o, &e) == 0);
	CHECK(file_is_body(dest));
	CHECK(!fs_exists(part));
	unlink(dest);
	/* one bit off in the expected digest: refused, nothing kept */
	o.sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	CHECK(fetch_to_file(url, dest, &o, &e) < 0);
	CHECK_CONTAINS(e.msg, "does not match the signed catalog");
	CHECK(!fs_exists(dest) && !fs_exists(part));
	/* fewer bytes promised than sent: stopped at the limit */
	o.sha256 = NULL;
	o.size = 1000;
	CHECK(fetch_to_file(url, dest, &o, &e) < 0);
	CHECK_CONTAINS(e.msg, "larger than the 1000 bytes expected");
	CHECK(!fs_exists(dest) && !fs_exists(part));
	free(url);
	free(dest);
	free(part);
}

TEST(fetch_resumes_a_cut_download_with_a_range)
{
	char *url = server_url(), *dest = fs_join(harness_tmpdir(), "resumed");
	char *part = xasprintf("%s.part", dest);
	struct fetch_opts o = { "x", NULL, BODY_SIZE, 0, false };
	struct dv_err e = { "" };

	o.sha256 = server.body_hex;
	server.mode = SERVE_CUT;
	CHECK(fetch_to_file(url, dest, &o, &e) < 0);
	CHECK_CONTAINS(e.msg, "run the command again to resume");
	CHECK(file_size(part) == BODY_SIZE / 2);
	server.mode = SERVE_NORMAL;
	CHECK(fetch_to_file(url, dest, &o, &e) == 0);
	CHECK_STR(server.range, "524288-");
	CHECK(file_is_body(dest) && !fs_exists(part));
	free(url);
	free(dest);
	free(part);
}

TEST(fetch_starts_over_when_the_range_is_ignored)
{
	char *url = server_url(), *dest = fs_join(harness_tmpdir(), "again");
	char *part = xasprintf("%s.part", dest);
	struct fetch_opts o = { "x", NULL, BODY_SIZE, 0, false };
	struct dv_err e = { "" };

	o.sha256 = server.body_hex;
	server.mode = SERVE_CUT;
	CHECK(fetch_to_file(url, dest, &o, &e) < 0);
	CHECK(file_size(part) == BODY_SIZE / 2);
	server.mode = SERVE_NORANGE;
	CHECK(fetch_to_file(url, dest, &o, &e) == 0);
	CHECK_STR(server.range, "524288-");
	CHECK(file_is_body(dest) && !fs_exists(part));
	free(url);
	free(dest);
	free(part);
}

TEST(fetch_gives_up_on_a_stalled_server_and_names_http_errors)
{
	char *url = server_url(), *dest = fs_join(harness_tmpdir(), "stalled");
	struct fetch_opts o = { "x", NULL, BODY_SIZE, 0, false };
	struct strbuf sb = STRBUF_INIT;
	struct dv_err e = { "" };

	setenv("DIVER_FETCH_STALL", "1", 1);
	server.mode = SERVE_STALL;
	CHECK(fetch_to_file(url, dest, &o, &e) < 0);
	CHECK_CONTAINS(e.msg, "the server stalled");
	CHECK_CONTAINS(e.msg, url);
	unsetenv("DIVER_FETCH_STALL");
	server.mode = SERVE_404;
	CHECK(fetch_to_buf(url, 100, &sb, &e) < 0);
	CHECK_CONTAINS(e.msg, "HTTP 404");
	server.mode = SERVE_NORMAL;
	CHECK(fetch_to_buf(url, 1000, &sb, &e) < 0);
	CHECK_CONTAINS(e.msg, "larger than 1000 bytes");
	CHECK(fetch_to_buf(url, BODY_SIZE, &sb, &e) == 0);
	CHECK(sb.len == BODY_SIZE && !memcmp(sb.buf, server.body, BODY_SIZE));
	strbuf_release(&sb);
	free(url);
	free(dest);
}
