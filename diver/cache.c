/*
 * cache.c — packages by content: cache/pkg/<sha256>.tar.zst, each checked
 * against the verified catalog while it is copied in, and unpacked once into
 * data/unpacked/<sha256>/.  Both steps write beside their target and rename,
 * under a lock, so concurrent diver processes never see half a package.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diver.h"
#include "fetch.h"
#include "fs.h"
#include "lock.h"
#include "strbuf.h"
#include "tarball.h"

#define CHUNK (256 * 1024)

static int
copy_hashed(const char *src, int out, char hex[SHA256_HEX], uint64_t *size,
	    struct dv_err *e)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	unsigned char *buf;
	struct sha256 *h;
	ssize_t n;

	if (in < 0)
		return dv_errno(e, "cannot open package '%s'", src);
	buf = xmalloc(CHUNK);
	h = sha256_new();
	*size = 0;
	while ((n = read(in, buf, CHUNK)) > 0) {
		sha256_update(h, buf, (size_t)n);
		*size += (uint64_t)n;
		if (fs_write_all(out, buf, (size_t)n) < 0) {
			n = -1;
			break;
		}
	}
	if (n < 0)
		dv_errno(e, "cannot copy package '%s' into the cache", src);
	sha256_final_hex(h, hex);
	sha256_free(h);
	free(buf);
	close(in);
	return n < 0 ? -1 : 0;
}

/* From an http(s) source: streamed, hashed, resumable. */
static int
download_package(const struct source *src, const struct file_ref *pkg,
		 const char *label, const char *dest, struct dv_err *e)
{
	char *url = source_path(src, pkg->path);
	struct fetch_opts o = { label, pkg->sha256, pkg->size, pkg->size, true };
	int rc = fetch_to_file(url, dest, &o, e);

	if (rc < 0)
		dv_err_prefix(e, "source '%s'", src->name);
	free(url);
	return rc;
}

static int
fetch_package(const struct source *source, const struct file_ref *pkg,
	      const char *label, const char *dest, struct dv_err *e)
{
	char *src, *tmp, hex[SHA256_HEX];
	uint64_t size = 0;
	int fd, rc = -1;

	if (!strcmp(source->kind, "http"))
		return download_package(source, pkg, label, dest, e);
	src = source_path(source, pkg->path);
	if ((fd = fs_temp_open(dest, &tmp, e)) < 0)
		goto out;
	if (copy_hashed(src, fd, hex, &size, e) < 0) {
		fs_temp_abort(fd, tmp);
		goto out;
	}
	if (size != pkg->size || strcmp(hex, pkg->sha256)) {
		dv_errf(e, "package '%s' from source '%s' does not match the signed "
			"catalog (sha256 %s, expected %s): refusing it", src,
			source->name, hex, pkg->sha256);
		fs_temp_abort(fd, tmp);
		goto out;
	}
	rc = fs_temp_commit(fd, tmp, dest, 0644, e);
out:
	free(src);
	return rc;
}

static int
unpack(const char *pkgpath, const char *dest, const char *name, struct dv_err *e)
{
	char *staging;
	int rc;

	if (fs_staging_dir(dest, &staging, e) < 0)
		return -1;
	rc = tar_extract(pkgpath, staging, name, &tar_limits_default, e);
	if (rc == 0 && rename(staging, dest) < 0)
		rc = dv_errno(e, "cannot move the unpacked package into '%s'", dest);
	fs_rm_rf(staging, NULL);
	free(staging);
	return rc;
}

/*
 * A directory of the cache.  In a cache the site shares (sticky and
 * world-writable, like /tmp) it is made the same way, so that every user
 * can add packages; each file stays its writer's, 0644, and the sticky bit
 * keeps others from replacing it.
 */
static int
cache_mkdir(const struct home *h, const char *dir, struct dv_err *e)
{
	struct stat root, st;

	if (fs_mkdir_p(dir, 0755, e) < 0)
		return -1;
	if (stat(h->cache, &root) == 0 && (root.st_mode & S_ISVTX) &&
	    (root.st_mode & S_IWOTH) && stat(dir, &st) == 0 &&
	    st.st_uid == geteuid() && (st.st_mode & 07777) != 01777 &&
	    chmod(dir, 01777) < 0)
		return dv_errno(e, "cannot share '%s' with the cache's other users", dir);
	return 0;
}

/*
 * pkg of src in the cache (fetched and checked under the package's lock
 * when missing) and, unless out is NULL, unpacked into out (once; out is
 * renamed into place).
 */
static int
cached_and_unpacked(const struct home *h, const struct source *src,
		    const struct file_ref *pkg, const char *label, const char *out,
		    struct dv_err *e)
{
	char *pkgdir = fs_join(h->cache, "pkg");
	char *path = xasprintf("%s/%s.tar.zst", pkgdir, pkg->sha256);
	char *lockpath = xasprintf("%s/%s.lock", pkgdir, pkg->sha256);
	char *parent = out ? xstrdup(out) : NULL;
	char *name = xasprintf("package '%s'", pkg->path);
	int lock = -1, rc = -1;

	if (parent)
		*strrchr(parent, '/') = '\0';
	if (cache_mkdir(h, pkgdir, e) < 0 || (parent && fs_mkdir_p(parent, 0755, e) < 0))
		goto out;
	lock = lock_acquire(lockpath, true, true, "the package cache", e);
	if (lock < 0)
		goto out;
	if (!fs_is_file(path) && fetch_package(src, pkg, label, path, e) < 0)
		goto out;
	if (out && !fs_is_dir(out) && unpack(path, out, name, e) < 0)
		goto out;
	rc = 0;
out:
	lock_release(lock);
	free(pkgdir);
	free(path);
	free(lockpath);
	free(parent);
	free(name);
	return rc;
}

int
cache_unpacked(const struct home *h, const struct resolved *res, char **dir,
	       struct dv_err *e)
{
	char *out = xasprintf("%s/unpacked/%s", h->data, res->var->package.sha256);
	char *label = xasprintf("%s:%s@%s", res->rel->name, res->var->name,
				res->rel->version);
	int rc = cached_and_unpacked(h, res->src, &res->var->package, label, out, e);

	free(label);
	if (rc < 0) {
		free(out);
		return -1;
	}
	*dir = out;
	return 0;
}

int
cache_fetch(const struct home *h, const struct resolved *res, struct dv_err *e)
{
	char *label = xasprintf("%s:%s@%s", res->rel->name, res->var->name,
				res->rel->version);
	int rc = cached_and_unpacked(h, res->src, &res->var->package, label, NULL, e);

	free(label);
	return rc;
}

int
toolchain_install(const struct home *h, struct source *src, const struct kernel *k,
		  char **dir, struct dv_err *e)
{
	const jv *entry;
	struct file_ref pkg;
	char *out, *label;
	int rc;

	*dir = NULL;
	if (!k->toolchain_name || source_open(h, src, e) < 0)
		return k->toolchain_name ? -1 : 0;
	if (catalog_toolchain(&src->cat, k->toolchain_name, k->toolchain_version,
			      &entry, &pkg, e) < 0)
		return -1;
	if (!entry)
		return 0;       /* not in this source: the host's compiler */
	out = xasprintf("%s/toolchains/%s-%s", h->data, k->toolchain_name,
			k->toolchain_version);
	label = xasprintf("%s %s", k->toolchain_name, k->toolchain_version);
	rc = fs_is_dir(out) ? 0 : cached_and_unpacked(h, src, &pkg, label, out, e);
	free(label);
	free(pkg.path);
	if (rc < 0)
		free(out);
	else
		*dir = out;
	return rc;
}
