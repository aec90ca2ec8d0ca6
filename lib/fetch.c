/*
 * fetch.c — libcurl downloads: to memory, or to DEST.part (resumable) and
 * then, checked, to DEST.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

/*
 * libcurl is opened when the first download starts, not linked: its 30
 * libraries (GnuTLS, Kerberos, LDAP, ICU...) took ~20 ms of every diver
 * start, searches included.  The header still gives the types, constants
 * and ABI; only these entry points are looked up.
 */
#define LIBCURL_SONAME "libcurl.so.4"

static struct {
	bool loaded;
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
} lc;

static int
libcurl_load(struct dv_err *e)
{
	static const char *const names[] = {
		"curl_global_init", "curl_easy_init", "curl_easy_setopt",
		"curl_easy_getinfo", "curl_easy_perform", "curl_easy_cleanup",
		"curl_easy_strerror",
	};
	void **slots[] = {
		(void **)&lc.global_init, (void **)&lc.easy_init,
		(void **)&lc.easy_setopt, (void **)&lc.easy_getinfo,
		(void **)&lc.easy_perform, (void **)&lc.easy_cleanup,
		(void **)&lc.easy_strerror,
	};
	void *so;

	if (lc.loaded)
		return 0;
	if (!(so = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return dv_errf(e, "cannot load libcurl (%s): install libcurl4 "
			       "(scripts/install-deps does)", dlerror());
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!(*slots[i] = dlsym(so, names[i])))
			return dv_errf(e, "'%s' has no '%s': install libcurl4 7.85 or "
				       "newer", LIBCURL_SONAME, names[i]);
	if (lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return dv_errf(e, "cannot initialize libcurl");
	lc.loaded = true;
	return 0;
}

/* A configured handle for url; errbuf receives libcurl's detail. */
static CURL *
handle(const char *url, char errbuf[CURL_ERROR_SIZE], struct dv_err *e)
{
	CURL *c;

	if (libcurl_load(e) < 0)
		return NULL;
	if (!(c = lc.easy_init())) {
		dv_errf(e, "cannot initialize libcurl");
		return NULL;
	}
	errbuf[0] = '\0';
	lc.easy_setopt(c, CURLOPT_URL, url);
	lc.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	lc.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	lc.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	lc.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	lc.easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	lc.easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	lc.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(c, CURLOPT_USERAGENT, "diver/0.1 (libcurl)");
	lc.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, env_seconds("DIVER_FETCH_CONNECT", 15));
	/* a server that sends nothing for this long is given up on */
	lc.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	lc.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, env_seconds("DIVER_FETCH_STALL", 30));
	return c;
}

/* "HTTP 404" or libcurl's words for what went wrong. */
static void
describe(CURL *c, CURLcode rc, const char *errbuf, char *out, size_t len)
{
	long code = 0;

	lc.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_HTTP_RETURNED_ERROR && code)
		snprintf(out, len, "HTTP %ld", code);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(out, len, "the server stalled (%s)",
			 errbuf[0] ? errbuf : lc.easy_strerror(rc));
	else
		snprintf(out, len, "%s", errbuf[0] ? errbuf : lc.easy_strerror(rc));
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
	lc.easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_write);
	lc.easy_setopt(c, CURLOPT_WRITEDATA, &m);
	rc = lc.easy_perform(c);
	if (m.too_big)
		dv_errf(e, "'%s' is larger than %zu bytes: refusing it", url, max);
	else if (rc != CURLE_OK) {
		describe(c, rc, errbuf, why, sizeof why);
		dv_errf(e, "cannot download '%s': %s", url, why);
	}
	lc.easy_cleanup(c);
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

/*
 * The hasher: a second thread hashes DEST.part behind the writer, reading
 * back from the page cache what the transfer wrote, so that SHA-256 runs
 * beside the network instead of after each chunk.  pos..end is written and
 * not yet hashed; both change under the lock, so pos == end means the
 * thread is idle.
 */
struct hasher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct sha256 *hash;
	int fd;
	uint64_t pos, end;
	bool done, io_error;
};

static void *
hasher_run(void *arg)
{
	struct hasher *h = arg;
	unsigned char *buf = xmalloc(CHUNK);
	uint64_t pos, end;
	ssize_t n;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (h->pos == h->end && !h->done)
			pthread_cond_wait(&h->more, &h->lock);
		if (h->pos == h->end || h->io_error)
			break;
		pos = h->pos;
		end = h->end;
		pthread_mutex_unlock(&h->lock);
		n = pread(h->fd, buf, end - pos < CHUNK ? end - pos : CHUNK, (off_t)pos);
		if (n > 0)
			sha256_update(h->hash, buf, (size_t)n);
		pthread_mutex_lock(&h->lock);
		if (n <= 0)
			h->io_error = true;
		else
			h->pos += (uint64_t)n;
	}
	pthread_mutex_unlock(&h->lock);
	free(buf);
	return NULL;
}

static int
hasher_start(struct hasher *h, int fd, struct sha256 *hash, uint64_t pos)
{
	h->fd = fd;
	h->hash = hash;
	h->pos = h->end = pos;
	h->done = h->io_error = false;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->more, NULL);
	if (pthread_create(&h->thread, NULL, hasher_run, h)) {
		pthread_cond_destroy(&h->more);
		pthread_mutex_destroy(&h->lock);
		return -1;
	}
	return 0;
}

/* The file now holds bytes up to end. */
static void
hasher_advance(struct hasher *h, uint64_t end)
{
	pthread_mutex_lock(&h->lock);
	h->end = end;
	pthread_cond_signal(&h->more);
	pthread_mutex_unlock(&h->lock);
}

/* Forget everything: the file starts over (only when nothing is pending). */
static void
hasher_restart(struct hasher *h)
{
	pthread_mutex_lock(&h->lock);
	sha256_reset(h->hash);
	h->pos = h->end = 0;
	pthread_mutex_unlock(&h->lock);
}

/* Hash what is left and stop; -1 when the file could not be read back. */
static int
hasher_finish(struct hasher *h)
{
	pthread_mutex_lock(&h->lock);
	h->done = true;
	pthread_cond_signal(&h->more);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->more);
	pthread_mutex_destroy(&h->lock);
	return h->io_error ? -1 : 0;
}

/* Start writing back every this many bytes, so the last fsync is short. */
#define WRITEBACK (8 * 1024 * 1024)

struct filebuf {
	CURL *c;
	int fd;
	struct hasher *hasher;
	uint64_t offset;        /* bytes of DEST.part kept from before */
	uint64_t received;      /* bytes written in this transfer */
	uint64_t flushed;       /* write-back started up to here */
	uint64_t limit;         /* most bytes DEST may have; 0: none */
	bool checked;           /* the response code was looked at */
	bool too_big, io_error;
};

static size_t
file_write(char *data, size_t size, size_t n, void *arg)
{
	struct filebuf *f = arg;
	uint64_t end;

	(void)size;
	if (!f->checked) {
		long code = 0;
		lc.easy_getinfo(f->c, CURLINFO_RESPONSE_CODE, &code);
		f->checked = true;
		if (f->offset && code != 206) {
			/* the server ignored the Range: start over */
			if (ftruncate(f->fd, 0) < 0 || lseek(f->fd, 0, SEEK_SET) < 0) {
				f->io_error = true;
				return 0;
			}
			hasher_restart(f->hasher);
			f->offset = f->flushed = 0;
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
	f->received += n;
	end = f->offset + f->received;
	hasher_advance(f->hasher, end);
	if (end - f->flushed >= WRITEBACK) {
		sync_file_range(f->fd, (off_t)f->flushed, (off_t)(end - f->flushed),
				SYNC_FILE_RANGE_WRITE);
		f->flushed = end;
	}
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
	lc.easy_setopt(f->c, CURLOPT_WRITEFUNCTION, file_write);
	lc.easy_setopt(f->c, CURLOPT_WRITEDATA, f);
	/* CURLOPT_RANGE, not RESUME_FROM: a server that ignores the range
	 * answers 200 with everything, and file_write starts over */
	if (f->offset) {
		snprintf(range, sizeof range, "%llu-", (unsigned long long)f->offset);
		lc.easy_setopt(f->c, CURLOPT_RANGE, range);
	}
	if (o->progress && isatty(STDERR_FILENO)) {
		clock_gettime(CLOCK_MONOTONIC, &p.start);
		p.last = p.start;
		lc.easy_setopt(f->c, CURLOPT_XFERINFOFUNCTION, on_progress);
		lc.easy_setopt(f->c, CURLOPT_XFERINFODATA, &p);
		lc.easy_setopt(f->c, CURLOPT_NOPROGRESS, 0L);
	}
	rc = lc.easy_perform(f->c);
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
	lc.easy_cleanup(f->c);
	f->c = NULL;
	return ret;
}

/* transfer() with the hasher beside it, from f->offset on. */
static int
download(const char *url, struct filebuf *f, struct sha256 *hash,
	 const struct fetch_opts *o, struct dv_err *e)
{
	struct hasher h;
	int rc;

	if (hasher_start(&h, f->fd, hash, f->offset) < 0)
		return dv_errf(e, "cannot download '%s': cannot start a thread", url);
	f->hasher = &h;
	rc = transfer(url, f, o, e);
	if (hasher_finish(&h) < 0 && rc == 0)
		rc = dv_errf(e, "cannot read back the download of '%s' to hash it", url);
	f->hasher = NULL;
	return rc;
}

int
fetch_to_file(const char *url, const char *dest, const struct fetch_opts *o,
	      struct dv_err *e)
{
	char *part = xasprintf("%s.part", dest), hex[SHA256_HEX];
	struct filebuf f = { 0 };
	struct sha256 *hash = NULL;
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
	hash = sha256_new();
	f.limit = o->size ? o->size : o->max;
	if (hash_existing(f.fd, hash, &f.offset) < 0) {
		dv_errno(e, "cannot read '%s'", part);
		goto out;
	}
	if (f.limit && f.offset > f.limit) {     /* not ours to continue */
		if (ftruncate(f.fd, 0) < 0 || lseek(f.fd, 0, SEEK_SET) < 0) {
			dv_errno(e, "cannot truncate '%s'", part);
			goto out;
		}
		sha256_reset(hash);
		f.offset = 0;
	}
	if (!(o->size && f.offset == o->size) && download(url, &f, hash, o, e) < 0) {
		if (f.too_big || f.offset + f.received == 0)
			unlink(part);   /* nothing worth resuming */
		goto out;
	}
	sha256_final_hex(hash, hex);
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
	sha256_free(hash);
	free(part);
	return rc;
}
