/*
 * fetch.c — libcurl downloads: to memory, or to DEST.part (resumable) and
 * then, checked, to DEST.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "fetch.h"
#include "fs.h"

#define CHUNK (256 * 1024)

bool
fetch_is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

char *
fetch_join(const char *base, const char *path)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	while (*path == '/')
		path++;
	return xasprintf("%.*s/%s", (int)n, base, path);
}

static long
env_seconds(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long s;

	if (!v || !*v)
		return def;
	s = strtol(v, &end, 10);
	return *end || s < 1 ? def : s;
}

/* A configured handle for url; errbuf receives libcurl's detail. */
static CURL *
handle(const char *url, char errbuf[CURL_ERROR_SIZE], struct dv_err *e)
{
	static bool initialized;
	CURL *c;

	if (!initialized) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			dv_errf(e, "cannot initialize libcurl");
			return NULL;
		}
		initialized = true;
	}
	if (!(c = curl_easy_init())) {
		dv_errf(e, "cannot initialize libcurl");
		return NULL;
	}
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "diver/0.1 (libcurl)");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, env_seconds("DIVER_FETCH_CONNECT", 15));
	/* a server that sends nothing for this long is given up on */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, env_seconds("DIVER_FETCH_STALL", 30));
	return c;
}

/* "HTTP 404" or libcurl's words for what went wrong. */
static void
describe(CURL *c, CURLcode rc, const char *errbuf, char *out, size_t len)
{
	long code = 0;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_HTTP_RETURNED_ERROR && code)
		snprintf(out, len, "HTTP %ld", code);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(out, len, "the server stalled (%s)",
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else
		snprintf(out, len, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

/* --- to memory --- */

struct membuf {
	struct strbuf *sb;
	size_t max;
	bool too_big;
};

static size_t
mem_write(char *data, size_t size, size_t n, void *arg)
{
	struct membuf *m = arg;

	if (m->sb->len + n > m->max) {
		m->too_big = true;
		return 0;
	}
	strbuf_add(m->sb, data, n);
	return size * n;
}

int
fetch_to_buf(const char *url, size_t max, struct strbuf *out, struct dv_err *e)
{
	char errbuf[CURL_ERROR_SIZE], why[CURL_ERROR_SIZE + 64];
	struct membuf m = { out, max, false };
	CURL *c = handle(url, errbuf, e);
	CURLcode rc;

	if (!c)
		return -1;
	strbuf_reset(out);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	rc = curl_easy_perform(c);
	if (m.too_big)
		dv_errf(e, "'%s' is larger than %zu bytes: refusing it", url, max);
	else if (rc != CURLE_OK) {
		describe(c, rc, errbuf, why, sizeof why);
		dv_errf(e, "cannot download '%s': %s", url, why);
	}
	curl_easy_cleanup(c);
	return m.too_big || rc != CURLE_OK ? -1 : 0;
}

/* --- to a file --- */

struct progress {
	const char *label;
	uint64_t offset;        /* bytes already there before this transfer */
	uint64_t expected;      /* 0: unknown */
	struct timespec start, last;
	bool drawn;
};

static double
seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void
human(double n, char buf[16])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (n >= 1024 && u < 4) {
		n /= 1024;
		u++;
	}
	snprintf(buf, 16, u ? "%.1f %s" : "%.0f %s", n, units[u]);
}

static void
draw(struct progress *p, uint64_t now_bytes, bool final)
{
	double t = seconds_since(&p->start), rate;
	uint64_t total = p->expected, have = p->offset + now_bytes;
	char h[16], tot[16], r[16], eta[48] = "";
	char bar[25];
	int pct = total ? (int)(have * 100 / total) : 0, fill = pct * 24 / 100;

	rate = t > 0 ? (double)now_bytes / t : 0;
	human((double)have, h);
	human((double)total, tot);
	human(rate, r);
	if (total && rate > 0 && have < total) {
		long s = (long)((double)(total - have) / rate);
		snprintf(eta, sizeof eta, "ETA %ld:%02ld", s / 60, s % 60);
	}
	memset(bar, ' ', 24);
	memset(bar, '=', (size_t)fill);
	if (fill < 24 && !final)
		bar[fill] = '>';
	bar[24] = '\0';
	if (total)
		fprintf(stderr, "\r%-22.22s [%s] %3d%%  %s / %s  %s/s  %-9s", p->label,
			bar, pct, h, tot, r, eta);
	else
		fprintf(stderr, "\r%-22.22s %s  %s/s", p->label, h, r);
	if (final)
		fputc('\n', stderr);
	p->drawn = true;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	    curl_off_t ulnow)
{
	struct progress *p = arg;

	(void)dltotal;
	(void)ultotal;
	(void)ulnow;
	if (seconds_since(&p->last) >= 0.1) {
		draw(p, (uint64_t)dlnow, false);
		clock_gettime(CLOCK_MONOTONIC, &p->last);
	}
	return 0;
}

struct filebuf {
	CURL *c;
	int fd;
	struct sha256 *hash;
	uint64_t offset;        /* bytes of DEST.part kept from before */
	uint64_t received;      /* bytes written in this transfer */
	uint64_t limit;         /* most bytes DEST may have; 0: none */
	bool checked;           /* the response code was looked at */
	bool too_big, io_error;
};

static size_t
file_write(char *data, size_t size, size_t n, void *arg)
{
	struct filebuf *f = arg;

	(void)size;
	if (!f->checked) {
		long code = 0;
		curl_easy_getinfo(f->c, CURLINFO_RESPONSE_CODE, &code);
		f->checked = true;
		if (f->offset && code != 206) {
			/* the server ignored the Range: start over */
			if (ftruncate(f->fd, 0) < 0 || lseek(f->fd, 0, SEEK_SET) < 0) {
				f->io_error = true;
				return 0;
			}
			sha256_reset(f->hash);
			f->offset = 0;
		}
	}
	if (f->limit && f->offset + f->received + n > f->limit) {
		f->too_big = true;
		return 0;
	}
	if (fs_write_all(f->fd, data, n) < 0) {
		f->io_error = true;
		return 0;
	}
	sha256_update(f->hash, data, n);
	f->received += n;
	return n;
}

/* Hash what DEST.part already holds; *size receives its length. */
static int
hash_existing(int fd, struct sha256 *h, uint64_t *size)
{
	unsigned char *buf = xmalloc(CHUNK);
	ssize_t n;

	*size = 0;
	while ((n = read(fd, buf, CHUNK)) > 0) {
		sha256_update(h, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	free(buf);
	return n < 0 ? -1 : 0;
}

static int
transfer(const char *url, struct filebuf *f, const struct fetch_opts *o,
	 struct dv_err *e)
{
	char errbuf[CURL_ERROR_SIZE], why[CURL_ERROR_SIZE + 64], range[32];
	struct progress p = { o->label ? o->label : "download", f->offset, o->size,
			      { 0, 0 }, { 0, 0 }, false };
	CURLcode rc;
	int ret = 0;

	if (!(f->c = handle(url, errbuf, e)))
		return -1;
	curl_easy_setopt(f->c, CURLOPT_WRITEFUNCTION, file_write);
	curl_easy_setopt(f->c, CURLOPT_WRITEDATA, f);
	/* CURLOPT_RANGE, not RESUME_FROM: a server that ignores the range
	 * answers 200 with everything, and file_write starts over */
	if (f->offset) {
		snprintf(range, sizeof range, "%llu-", (unsigned long long)f->offset);
		curl_easy_setopt(f->c, CURLOPT_RANGE, range);
	}
	if (o->progress && isatty(STDERR_FILENO)) {
		clock_gettime(CLOCK_MONOTONIC, &p.start);
		p.last = p.start;
		curl_easy_setopt(f->c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(f->c, CURLOPT_XFERINFODATA, &p);
		curl_easy_setopt(f->c, CURLOPT_NOPROGRESS, 0L);
	}
	rc = curl_easy_perform(f->c);
	if (p.drawn)
		draw(&p, f->received, true);
	if (f->too_big) {
		ret = dv_errf(e, "'%s' is larger than the %llu bytes expected: "
			      "refusing it", url, (unsigned long long)f->limit);
	} else if (f->io_error) {
		ret = dv_errno(e, "cannot write the download of '%s'", url);
	} else if (rc != CURLE_OK) {
		describe(f->c, rc, errbuf, why, sizeof why);
		ret = dv_errf(e, "cannot download '%s': %s%s", url, why,
			      f->offset + f->received
			      ? "; run the command again to resume" : "");
	}
	curl_easy_cleanup(f->c);
	f->c = NULL;
	return ret;
}

int
fetch_to_file(const char *url, const char *dest, const struct fetch_opts *o,
	      struct dv_err *e)
{
	char *part = xasprintf("%s.part", dest), hex[SHA256_HEX];
	struct filebuf f = { 0 };
	int rc = -1;

	f.fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (f.fd < 0 && (errno == EACCES || errno == EPERM)) {
		/* another user's DEST.part in a shared cache: start afresh in a
		 * file of our own, without resuming theirs */
		free(part);
		f.fd = fs_temp_open(dest, &part, e);
		if (f.fd < 0)
			goto out;
	} else if (f.fd < 0) {
		dv_errno(e, "cannot write '%s'", part);
		goto out;
	}
	f.hash = sha256_new();
	f.limit = o->size ? o->size : o->max;
	if (hash_existing(f.fd, f.hash, &f.offset) < 0) {
		dv_errno(e, "cannot read '%s'", part);
		goto out;
	}
	if (f.limit && f.offset > f.limit) {     /* not ours to continue */
		if (ftruncate(f.fd, 0) < 0 || lseek(f.fd, 0, SEEK_SET) < 0) {
			dv_errno(e, "cannot truncate '%s'", part);
			goto out;
		}
		sha256_reset(f.hash);
		f.offset = 0;
	}
	if (!(o->size && f.offset == o->size) && transfer(url, &f, o, e) < 0) {
		if (f.too_big || f.offset + f.received == 0)
			unlink(part);   /* nothing worth resuming */
		goto out;
	}
	sha256_final_hex(f.hash, hex);
	if ((o->size && f.offset + f.received != o->size) ||
	    (o->sha256 && strcmp(hex, o->sha256))) {
		dv_errf(e, "the download of '%s' does not match the signed catalog "
			"(%llu bytes, sha256 %s; expected %llu bytes, %s): refusing it",
			url, (unsigned long long)(f.offset + f.received), hex,
			(unsigned long long)o->size, o->sha256 ? o->sha256 : "any");
		unlink(part);
		goto out;
	}
	if (fsync(f.fd) < 0 || rename(part, dest) < 0) {
		dv_errno(e, "cannot move the download into '%s'", dest);
		goto out;
	}
	fs_sync_parent(dest);
	rc = 0;
out:
	if (f.fd >= 0)
		close(f.fd);
	if (f.hash)
		sha256_free(f.hash);
	free(part);
	return rc;
}
