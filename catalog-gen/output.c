/*
 * output.c — the staging directory beside OUT and swapping it in.
 *
 * Every file of a run is written into OUT.tmp-XXXXXX first; nothing in OUT
 * changes until the whole run has succeeded.  When nothing is reused from
 * the previous output, the staging directory and OUT are exchanged in one
 * renameat2(RENAME_EXCHANGE).  Otherwise only the files that changed are
 * staged and each is renamed onto its place in OUT (packages and kernel
 * pages first, the pages that link to them next, catalog.json last), then
 * the files the new output no longer has are removed.  The cache is removed
 * before the first rename and written after the last, so a run that dies
 * half-way leaves no cache and the next run renders everything.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog-gen.h"
#include "fs.h"

void
manifest_add(struct manifest *m, const char *path, const char *sha256,
	     bool staged)
{
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 64;
		m->v = xrealloc(m->v, m->alloc * sizeof *m->v);
	}
	m->v[m->n].path = xstrdup(path);
	snprintf(m->v[m->n].sha256, SHA256_HEX, "%s", sha256);
	m->v[m->n].staged = staged;
	m->n++;
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct out_file *)a)->path,
		      ((const struct out_file *)b)->path);
}

void
manifest_sort(struct manifest *m)
{
	if (m->n)
		qsort(m->v, m->n, sizeof *m->v, file_cmp);
}

const struct out_file *
manifest_find(const struct manifest *m, const char *path)
{
	struct out_file key = { .path = (char *)path };

	return m->n ? bsearch(&key, m->v, m->n, sizeof *m->v, file_cmp) : NULL;
}

void
manifest_release(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	memset(m, 0, sizeof *m);
}

int
output_begin(struct output *w, const char *dir, struct manifest *old,
	     struct dv_err *e)
{
	memset(w, 0, sizeof *w);
	w->dir = dir;
	w->old = *old;
	memset(old, 0, sizeof *old);
	manifest_sort(&w->old);
	w->swap = w->old.n == 0;
	return fs_staging_dir(dir, &w->staging, e);
}

/* mkdir -p for the parent of path, trying the deepest directory first. */
static int
make_parents(char *path)
{
	char *slash = strrchr(path, '/');
	int rc;

	if (!slash)
		return 0;
	*slash = '\0';
	rc = mkdir(path, 0755);
	if (rc < 0 && errno == ENOENT && make_parents(path) == 0)
		rc = mkdir(path, 0755);
	if (rc < 0 && errno == EEXIST)
		rc = 0;
	*slash = '/';
	return rc;
}

char *
output_stage_path(const struct output *w, const char *rel, struct dv_err *e)
{
	char *path = fs_join(w->staging, rel);

	if (make_parents(path) < 0) {
		dv_errno(e, "cannot create the directory of '%s'", path);
		free(path);
		return NULL;
	}
	return path;
}

int
output_stage(const struct output *w, const char *rel, const void *data,
	     size_t len, struct dv_err *e)
{
	char *path = output_stage_path(w, rel, e);
	int fd, rc = -1;

	if (!path)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || fs_write_all(fd, data, len) < 0)
		dv_errno(e, "cannot write '%s'", path);
	else
		rc = 0;
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = dv_errno(e, "cannot write '%s'", path);
	free(path);
	return rc;
}

bool
output_unchanged(const struct output *w, const char *rel, const char *sha256)
{
	const struct out_file *f = manifest_find(&w->old, rel);

	return f && !strcmp(f->sha256, sha256);
}

void
output_record(struct output *w, const char *rel, const char *sha256,
	      bool staged)
{
	manifest_add(&w->files, rel, sha256, staged);
}

int
output_file(struct output *w, const char *rel, const void *data, size_t len,
	    struct dv_err *e)
{
	char hex[SHA256_HEX];
	bool stage;

	sha256_buf_hex(data, len, hex);
	stage = !output_unchanged(w, rel, hex);
	if (stage && output_stage(w, rel, data, len, e) < 0)
		return -1;
	output_record(w, rel, hex, stage);
	return 0;
}

/* The order files go live in: what is linked to before what links to it. */
static int
rank(const char *path)
{
	static const char *const order[] = {
		"pkg/", "kernels/", "tags/", "assets/", "search-index.js",
		"offline.html", "index.html", "catalog.json", "catalog.json.sig",
		NULL,
	};

	for (int i = 0; order[i]; i++)
		if (!strncmp(path, order[i], strlen(order[i])))
			return i;
	return 0;
}

static int
rank_cmp(const void *a, const void *b)
{
	const struct out_file *x = *(const struct out_file *const *)a;
	const struct out_file *y = *(const struct out_file *const *)b;
	int d = rank(x->path) - rank(y->path);

	return d ? d : strcmp(x->path, y->path);
}

static int
move_in(const struct output *w, const char *rel, struct dv_err *e)
{
	char *from = fs_join(w->staging, rel), *to = fs_join(w->dir, rel);
	int rc = 0;

	if (make_parents(to) < 0 || rename(from, to) < 0)
		rc = dv_errno(e, "cannot move '%s' into place", to);
	free(from);
	free(to);
	return rc;
}

/* Remove dir/rel, then its parent directories while they are empty. */
static void
remove_stale(const char *dir, const char *rel)
{
	char *path = fs_join(dir, rel), *slash;
	size_t base = strlen(dir);

	unlink(path);
	while ((slash = strrchr(path, '/')) && (size_t)(slash - path) > base) {
		*slash = '\0';
		if (rmdir(path) < 0)
			break;
	}
	free(path);
}

static void
sync_staging(const struct output *w)
{
	int fd = open(w->staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		syncfs(fd);
		close(fd);
	}
}

static int
commit_files(struct output *w, size_t *written, struct dv_err *e)
{
	const struct out_file **staged = xcalloc(w->files.n + 1, sizeof *staged);
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < w->files.n; i++)
		if (w->files.v[i].staged && strcmp(w->files.v[i].path, CACHE_FILE))
			staged[n++] = &w->files.v[i];
	qsort(staged, n, sizeof *staged, rank_cmp);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = move_in(w, staged[i]->path, e);
	for (size_t i = 0; i < w->old.n && rc == 0; i++)
		if (!manifest_find(&w->files, w->old.v[i].path))
			remove_stale(w->dir, w->old.v[i].path);
	*written = n;
	free(staged);
	return rc;
}

int
output_commit(struct output *w, size_t *written, struct dv_err *e)
{
	char *cache = fs_join(w->dir, CACHE_FILE);
	int rc;

	manifest_sort(&w->files);
	sync_staging(w);
	if (w->swap) {
		*written = w->files.n;
		rc = fs_replace_dir(w->staging, w->dir, e);
		free(cache);
		return rc;
	}
	unlink(cache);
	rc = commit_files(w, written, e);
	if (rc == 0)
		rc = move_in(w, CACHE_FILE, e);
	fs_sync_parent(cache);
	free(cache);
	return rc;
}

void
output_end(struct output *w)
{
	if (w->staging)
		fs_rm_rf(w->staging, NULL);
	free(w->staging);
	manifest_release(&w->old);
	manifest_release(&w->files);
	memset(w, 0, sizeof *w);
}

struct pool {
	size_t n, next;
	void (*fn)(size_t, void *);
	void *arg;
	pthread_mutex_t lock;
};

static void *
worker(void *p)
{
	struct pool *pool = p;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&pool->lock);
		i = pool->next++;
		pthread_mutex_unlock(&pool->lock);
		if (i >= pool->n)
			return NULL;
		pool->fn(i, pool->arg);
	}
}

void
parallel_for(size_t n, int jobs, void (*fn)(size_t i, void *arg), void *arg)
{
	struct pool pool = { n, 0, fn, arg, PTHREAD_MUTEX_INITIALIZER };
	pthread_t threads[64];
	int started = 0;

	if (jobs > 64)
		jobs = 64;
	for (int t = 1; t < jobs && (size_t)t < n; t++)
		if (pthread_create(&threads[started], NULL, worker, &pool) == 0)
			started++;
	worker(&pool);
	for (int t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
}
