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
download_package(const struct resolved *res, const char *dest, struct dv_err *e)
{
	const struct file_ref *pkg = &res->var->package;
	char *url = source_path(res->src, pkg->path);
	char *label = xasprintf("%s:%s@%s", res->rel->name, res->var->name,
				res->rel->version);
	struct fetch_opts o = { label, pkg->sha256, pkg->size, pkg->size, true };
	int rc = fetch_to_file(url, dest, &o, e);

	if (rc < 0)
		dv_err_prefix(e, "source '%s'", res->src->name);
	free(label);
	free(url);
	return rc;
}

static int
fetch_package(const struct resolved *res, const char *dest, struct dv_err *e)
{
	const struct file_ref *pkg = &res->var->package;
	char *src, *tmp, hex[SHA256_HEX];
	uint64_t size = 0;
	int fd, rc = -1;

	if (!strcmp(res->src->kind, "http"))
		return download_package(res, dest, e);
	src = source_path(res->src, pkg->path);
	if ((fd = fs_temp_open(dest, &tmp, e)) < 0)
		goto out;
	if (copy_hashed(src, fd, hex, &size, e) < 0) {
		fs_temp_abort(fd, tmp);
		goto out;
	}
	if (size != pkg->size || strcmp(hex, pkg->sha256)) {
		dv_errf(e, "package '%s' from source '%s' does not match the signed "
			"catalog (sha256 %s, expected %s): refusing it", src,
			res->src->name, hex, pkg->sha256);
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

int
cache_unpacked(const struct home *h, const struct resolved *res, char **dir,
	       struct dv_err *e)
{
	const char *sha = res->var->package.sha256;
	char *pkgdir = fs_join(h->cache, "pkg");
	char *pkg = xasprintf("%s/%s.tar.zst", pkgdir, sha);
	char *lockpath = xasprintf("%s/%s.lock", pkgdir, sha);
	char *unpacked = fs_join(h->data, "unpacked");
	char *out = fs_join(unpacked, sha);
	char *name = xasprintf("package '%s'", res->var->package.path);
	int lock = -1, rc = -1;

	if (cache_mkdir(h, pkgdir, e) < 0 || fs_mkdir_p(unpacked, 0755, e) < 0)
		goto out;
	lock = lock_acquire(lockpath, true, true, "the package cache", e);
	if (lock < 0)
		goto out;
	if (!fs_is_file(pkg) && fetch_package(res, pkg, e) < 0)
		goto out;
	if (!fs_is_dir(out) && unpack(pkg, out, name, e) < 0)
		goto out;
	*dir = out;
	out = NULL;
	rc = 0;
out:
	lock_release(lock);
	free(pkgdir);
	free(unpacked);
	free(pkg);
	free(lockpath);
	free(out);
	free(name);
	return rc;
}
