/*
 * scan.c — read a kernels/ tree: KERNELS/NAME/VERSION/{kernel.json,README.md,
 * VARIANT/image,VARIANT/kit/}.  Directories under NAME that are not versions
 * (src/, say) are the publisher's and are skipped.
 *
 * Whether a release changed is told by the stat data (inode, size, mtime,
 * ctime, mode) of each of its inputs, as git's index does.  A file changed
 * less than a second before the run started is "racy": another change in
 * the same clock tick would not show in its stat data, so its release is
 * checked again on the next run.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog-gen.h"
#include "fs.h"
#include "ref.h"
#include "strbuf.h"


char *
release_dir(const struct gen_opts *o, const char *name, const char *version)
{
	return xasprintf("%s/%s/%s", o->kernels_dir, name, version);
}

static bool
recent(const struct gen_opts *o, const struct timespec *t)
{
	/* Within a second before the start (or after it). */
	return t->tv_sec > o->started.tv_sec - 1 ||
	       (t->tv_sec == o->started.tv_sec - 1 &&
		t->tv_nsec >= o->started.tv_nsec);
}

static bool
racy(const struct gen_opts *o, const struct stat *st)
{
	return recent(o, &st->st_mtim) || recent(o, &st->st_ctim);
}

/* Add "path stat-data" for path to sb; false when it is missing or racy. */
static bool
add_stat(const struct gen_opts *o, const char *dir, const char *rel,
	 struct strbuf *sb)
{
	char *path = fs_join(dir, rel);
	struct stat st;
	int rc = lstat(path, &st);

	free(path);
	if (rc < 0 || racy(o, &st))
		return false;
	strbuf_addf(sb, "%s %llx %llx %llx.%lx %llx.%lx %x\n", rel,
		    (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
		    (unsigned long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
		    (unsigned long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec,
		    (unsigned)st.st_mode);
	return true;
}

/* The digest of the stat data of inputs, or "-" when one is racy or gone. */
static void
inputs_digest(const struct gen_opts *o, const char *dir,
	      const struct strlist *inputs, char digest[SHA256_HEX])
{
	struct strbuf sb = STRBUF_INIT;
	bool ok = true;

	for (size_t i = 0; i < inputs->n && ok; i++)
		ok = add_stat(o, dir, inputs->v[i], &sb);
	if (ok)
		sha256_buf_hex(sb.buf, sb.len, digest);
	else
		strcpy(digest, "-");
	strbuf_release(&sb);
}

/* Every directory and file under dir/rel, sorted, into l. */
static int
list_tree(const char *dir, const char *rel, struct strlist *l, struct dv_err *e)
{
	char *path = fs_join(dir, rel), **names;
	int rc = 0;

	strlist_push(l, rel);
	if (!fs_is_dir(path)) {
		free(path);
		return 0;
	}
	if (fs_list_dir(path, &names, NULL, e) < 0) {
		free(path);
		return -1;
	}
	for (char **n = names; *n && rc == 0; n++) {
		char *sub = fs_join(rel, *n);
		rc = list_tree(dir, sub, l, e);
		free(sub);
	}
	fs_names_free(names);
	free(path);
	return rc;
}

static int
release_inputs(const char *dir, const struct kernel *k, struct strlist *l,
	       struct dv_err *e)
{
	strlist_push(l, "kernel.json");
	strlist_push(l, "README.md");
	for (size_t i = 0; i < k->nvariants; i++) {
		strlist_push(l, k->variants[i].image.path);
		if (k->variants[i].kit_path &&
		    list_tree(dir, k->variants[i].kit_path, l, e) < 0)
			return -1;
	}
	return 0;
}

static int
check_image(const struct gen_opts *o, const char *json, const char *dir,
	    const struct kernel_variant *v, struct dv_err *e)
{
	char *path = fs_join(dir, v->image.path), hex[SHA256_HEX];
	struct stat st;
	uint64_t size;
	int rc = -1;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		dv_errf(e, "%s: field \"variants.%s.image.path\": '%s' is missing or "
			"not a regular file", json, v->name, path);
		goto out;
	}
	if ((uint64_t)st.st_size > o->max_image) {
		dv_errf(e, "%s: field \"variants.%s.image\": '%s' is %lld bytes, over "
			"the limit of %llu (see --max-image-size)", json, v->name, path,
			(long long)st.st_size, (unsigned long long)o->max_image);
		goto out;
	}
	if (sha256_file_hex(path, hex, &size, e) < 0)
		goto out;
	if (size != v->image.size) {
		dv_errf(e, "%s: field \"variants.%s.image.size\": expected %llu (the "
			"size of '%s'), got %llu", json, v->name,
			(unsigned long long)size, path,
			(unsigned long long)v->image.size);
		goto out;
	}
	if (strcmp(hex, v->image.sha256)) {
		dv_errf(e, "%s: field \"variants.%s.image.sha256\": expected %s (the "
			"sha256 of '%s'), got %s", json, v->name, hex, path,
			v->image.sha256);
		goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

static int
check_kit(const char *json, const char *dir, const struct kernel_variant *v,
	  struct dv_err *e)
{
	char *kit = fs_join(dir, v->kit_path);
	bool ok = fs_is_dir(kit);

	free(kit);
	if (!ok)
		return dv_errf(e, "%s: field \"variants.%s.kit.path\": '%s' is not a "
			       "directory in %s", json, v->name, v->kit_path, dir);
	return 0;
}

/* The checks that do not read the images: names, README, kits. */
static int
check_release(const char *name, const char *version, const char *dir,
	      const char *json, const struct kernel *k, struct dv_err *e)
{
	char *readme = fs_join(dir, "README.md");
	bool have_readme = fs_is_file(readme);

	free(readme);
	if (strcmp(k->name, name))
		return dv_errf(e, "%s: field \"name\": expected \"%s\" (the directory "
			       "name), got \"%s\"", json, name, k->name);
	if (strcmp(k->version, version))
		return dv_errf(e, "%s: field \"version\": expected \"%s\" (the "
			       "directory name), got \"%s\"", json, version,
			       k->version);
	if (!have_readme)
		return dv_errf(e, "%s: README.md is missing; every release needs one "
			       "for its catalog page", dir);
	for (size_t i = 0; i < k->nvariants; i++)
		if (k->variants[i].kit_path &&
		    check_kit(json, dir, &k->variants[i], e) < 0)
			return -1;
	return 0;
}

static const struct release_state *
cached_release(const struct entry *cached, const char *version)
{
	for (size_t i = 0; cached && i < cached->nrels; i++)
		if (!strcmp(cached->rels[i].version, version))
			return &cached->rels[i];
	return NULL;
}

/*
 * Fill r from k; when old has the same stat data, take the image hashes
 * and packages from it instead of reading the images again.
 */
static int
fill_release(const struct gen_opts *o, const char *dir, const char *json,
	     struct kernel *k, const struct release_state *old,
	     struct release_state *r, struct dv_err *e)
{
	bool same;

	r->version = xstrdup(k->version);
	if (release_inputs(dir, k, &r->inputs, e) < 0)
		return -1;
	inputs_digest(o, dir, &r->inputs, r->digest);
	same = old && strcmp(r->digest, "-") && !strcmp(r->digest, old->digest);
	r->variants = xcalloc(k->nvariants, sizeof *r->variants);
	r->nvariants = k->nvariants;
	for (size_t i = 0; i < k->nvariants; i++) {
		struct kernel_variant *v = &k->variants[i];
		struct variant_state *vs = &r->variants[i];
		const struct variant_state *ov = same ?
			release_variant((struct release_state *)old, v->name) : NULL;
		vs->name = xstrdup(v->name);
		strcpy(vs->image_sha256, v->image.sha256);
		if (ov && ov->package.path && !strcmp(ov->image_sha256, v->image.sha256)) {
			vs->package = ov->package;
			vs->package.path = xstrdup(ov->package.path);
			v->package = vs->package;
			v->package.path = xstrdup(vs->package.path);
			v->has_package = true;
		} else if (check_image(o, json, dir, v, e) < 0) {
			return -1;
		}
	}
	return 0;
}

static int
scan_release(const struct gen_opts *o, const char *name, const char *version,
	     const struct entry *cached, struct catalog *one,
	     struct release_state *r, struct strlist *warnings, struct dv_err *e)
{
	char *dir = release_dir(o, name, version);
	char *json = fs_join(dir, "kernel.json");
	struct kernel k;
	int rc = -1;

	memset(&k, 0, sizeof k);
	if (!fs_is_file(json)) {
		dv_errf(e, "%s: missing; every release directory needs a kernel.json",
			json);
		goto out;
	}
	if (kernel_load(json, &k, e) < 0)
		goto out;
	for (size_t i = 0; i < k.warnings.n; i++)
		strlist_push(warnings, k.warnings.v[i]);
	if (check_release(name, version, dir, json, &k, e) < 0 ||
	    fill_release(o, dir, json, &k, cached_release(cached, version), r, e) < 0)
		goto out;
	if (catalog_add_release(one, &k, e) < 0) {
		dv_err_prefix(e, "%s", json);
		goto out;
	}
	rc = 0;
out:
	kernel_release(&k);
	free(json);
	free(dir);
	return rc;
}

static void
dir_stat(const struct gen_opts *o, const char *path, char out[SHA256_HEX])
{
	struct stat st;

	if (lstat(path, &st) < 0 || racy(o, &st))
		strcpy(out, "-");
	else
		snprintf(out, SHA256_HEX, "%llx.%llx.%lx.%llx.%lx",
			 (unsigned long long)st.st_ino,
			 (unsigned long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
			 (unsigned long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec);
}

/* Put the releases of one (newest first, as the catalog sorts them) in en. */
static void
take_releases(struct entry *en, struct catalog *one, struct release_state *rels,
	      size_t nrels)
{
	struct catalog_kernel *ck = &one->kernels[0];

	en->rels = xcalloc(nrels, sizeof *en->rels);
	en->nrels = nrels;
	for (size_t i = 0; i < ck->nreleases; i++)
		for (size_t j = 0; j < nrels; j++)
			if (rels[j].version &&
			    !strcmp(rels[j].version, ck->releases[i].version)) {
				en->rels[i] = rels[j];
				memset(&rels[j], 0, sizeof rels[j]);
			}
	en->kernel = *ck;
	free(one->kernels);
	one->kernels = NULL;
	one->nkernels = 0;
}

static void
release_state_release(struct release_state *r)
{
	free(r->version);
	strlist_release(&r->inputs);
	for (size_t i = 0; i < r->nvariants; i++) {
		free(r->variants[i].name);
		free(r->variants[i].package.path);
	}
	free(r->variants);
	memset(r, 0, sizeof *r);
}

/* Read every release of kernel `name` (it changed, or its pages must be made). */
static int
read_kernel(const struct gen_opts *o, const char *name, const struct entry *cached,
	    struct entry *en, struct strlist *warnings, struct dv_err *e)
{
	char *dir = fs_join(o->kernels_dir, name), **names;
	struct catalog one = { 0 };
	struct release_state *rels = NULL;
	size_t n = 0, count;
	struct semver sv;
	int rc = 0;

	dir_stat(o, dir, en->dir_stat);
	if (fs_list_dir(dir, &names, &count, e) < 0) {
		free(dir);
		return -1;
	}
	rels = xcalloc(count + 1, sizeof *rels);
	for (char **v = names; *v && rc == 0; v++) {
		char *sub = fs_join(dir, *v);
		if (semver_parse(*v, &sv) == 0 && fs_is_dir(sub))
			rc = scan_release(o, name, *v, cached, &one, &rels[n++], warnings, e);
		free(sub);
	}
	if (rc == 0 && one.nkernels == 1)
		take_releases(en, &one, rels, n);
	for (size_t i = 0; i < n; i++)
		release_state_release(&rels[i]);
	free(rels);
	catalog_release(&one);
	fs_names_free(names);
	free(dir);
	en->fresh = true;
	return rc;
}

/* Whether nothing of kernel `name` changed since the cache was written. */
static bool
unchanged(const struct gen_opts *o, const struct entry *cached)
{
	char *dir = fs_join(o->kernels_dir, cached->name), now[SHA256_HEX];
	bool same = true;

	dir_stat(o, dir, now);
	if (!strcmp(now, "-") || strcmp(now, cached->dir_stat))
		same = false;
	for (size_t i = 0; i < cached->nrels && same; i++) {
		char *rdir = fs_join(dir, cached->rels[i].version);
		inputs_digest(o, rdir, &cached->rels[i].inputs, now);
		same = strcmp(now, "-") && !strcmp(now, cached->rels[i].digest);
		free(rdir);
	}
	free(dir);
	return same;
}

struct scan_job {
	const struct gen_opts *o;
	const struct cache *cache;
	bool pages_stale;
	char **names;
	struct entry *entries;
	struct strlist *warnings;       /* one list per kernel, in order */
};

static void
scan_one(size_t i, void *arg)
{
	struct scan_job *j = arg;
	struct entry *en = &j->entries[i];
	const struct entry *cached = cache_find(j->cache, j->names[i]);
	struct dv_err e;

	en->name = xstrdup(j->names[i]);
	if (cached && !j->pages_stale && unchanged(j->o, cached))
		return;         /* copied from the cache afterwards (settle) */
	if (read_kernel(j->o, en->name, cached, en, &j->warnings[i], &e) < 0) {
		en->err = xmalloc(sizeof e);
		*en->err = e;
	}
}

static int
list_kernels(const struct gen_opts *o, char ***names, size_t *n, struct dv_err *e)
{
	char **all;
	size_t count, k = 0;

	if (!fs_is_dir(o->kernels_dir))
		return dv_errf(e, "kernels directory '%s' does not exist",
			       o->kernels_dir);
	if (fs_list_dir(o->kernels_dir, &all, &count, e) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		char *sub = fs_join(o->kernels_dir, all[i]);
		/* toolchains/ holds toolchains (toolchain.c), not a kernel */
		bool dir = all[i][0] != '.' && strcmp(all[i], "toolchains") &&
			   fs_is_dir(sub);
		if (dir && !name_valid(all[i])) {
			dv_errf(e, "'%s': a kernel directory must be named with "
				"lowercase letters, digits and '-'", sub);
			free(sub);
			fs_names_free(all);
			return -1;
		}
		free(sub);
		if (dir)
			all[k++] = all[i];
		else
			free(all[i]);
	}
	all[k] = NULL;
	*names = all;
	*n = k;
	return 0;
}

/* Move the cached entries of unchanged kernels into place; drop empty ones. */
static size_t
settle(struct scan_job *j, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct entry *en = &j->entries[i];
		if (!en->fresh) {
			struct entry *c = (struct entry *)cache_find(j->cache, en->name);
			free(en->name);
			*en = *c;
			memset(c, 0, sizeof *c);
			c->name = xstrdup(en->name);    /* keeps the cache sorted */
		}
		if (en->nrels)
			j->entries[k++] = *en;
		else
			entry_release(en);
	}
	return k;
}

int
scan_kernels(const struct gen_opts *o, const struct cache *cache,
	     bool pages_stale, struct entry **entries, size_t *n,
	     struct strlist *warnings, struct dv_err *e)
{
	struct scan_job j = { o, cache, pages_stale, NULL, NULL, NULL };
	size_t count = 0;
	int rc = 0;

	if (list_kernels(o, &j.names, &count, e) < 0)
		return -1;
	j.entries = xcalloc(count + 1, sizeof *j.entries);
	j.warnings = xcalloc(count + 1, sizeof *j.warnings);
	parallel_for(count, o->jobs, scan_one, &j);
	for (size_t i = 0; i < count; i++) {
		for (size_t w = 0; w < j.warnings[i].n; w++)
			strlist_push(warnings, j.warnings[i].v[w]);
		strlist_release(&j.warnings[i]);
		if (j.entries[i].err && rc == 0) {
			*e = *j.entries[i].err;
			rc = -1;
		}
		free(j.entries[i].err);
		j.entries[i].err = NULL;
	}
	if (rc == 0)
		count = settle(&j, count);
	else {
		for (size_t i = 0; i < count; i++)
			entry_release(&j.entries[i]);
		free(j.entries);
		j.entries = NULL;
		count = 0;
	}
	free(j.warnings);
	fs_names_free(j.names);
	*entries = j.entries;
	*n = count;
	return rc;
}

struct variant_state *
release_variant(struct release_state *r, const char *name)
{
	for (size_t i = 0; i < r->nvariants; i++)
		if (!strcmp(r->variants[i].name, name))
			return &r->variants[i];
	return NULL;
}

void
entry_release(struct entry *en)
{
	free(en->name);
	for (size_t i = 0; i < en->nrels; i++)
		release_state_release(&en->rels[i]);
	free(en->rels);
	strlist_release(&en->tags);
	free(en->catalog_line);
	free(en->row);
	free(en->terms);
	for (size_t i = 0; i < en->kernel.nreleases; i++)
		kernel_release(&en->kernel.releases[i]);
	free(en->kernel.releases);
	free(en->kernel.name);
	free(en->err);
	memset(en, 0, sizeof *en);
}
