/*
 * package.c — pkg/NAME/VERSION/VARIANT.tar.zst: kernel.json, README.md and
 * the variant's image and kit, with the paths kernel.json gives them.  Every
 * entry carries mtime 0, so a release's package is byte-identical on every
 * render, whatever SOURCE_DATE_EPOCH says: caches and delta bundles rely on
 * that.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog-gen.h"
#include "fs.h"
#include "json.h"
#include "strbuf.h"
#include "tarball.h"

/*
 * zstd's default level.  On pebble's packages level 19 saves 14 % and takes
 * five times as long; a package is made once per release, but a full render
 * of a large tree makes thousands.
 */
#define PACKAGE_LEVEL 3

/* Add the tree at src as name/..., in sorted order, refusing links. */
int
add_tree(struct tar_writer *w, const char *src, const char *name,
	 struct dv_err *e)
{
	struct stat st;
	char **names;
	int rc = 0;

	if (lstat(src, &st) < 0)
		return dv_errno(e, "cannot read '%s'", src);
	if (S_ISREG(st.st_mode))
		return tar_writer_add_file(w, name, src, NULL, NULL, e);
	if (!S_ISDIR(st.st_mode))
		return dv_errf(e, "'%s' is not a regular file or directory; "
			       "releases may not contain links or devices", src);
	if (fs_list_dir(src, &names, NULL, e) < 0)
		return -1;
	for (char **n = names; *n && rc == 0; n++) {
		char *s = fs_join(src, *n), *m = fs_join(name, *n);
		rc = add_tree(w, s, m, e);
		free(s);
		free(m);
	}
	fs_names_free(names);
	return rc;
}

static int
fill_package(struct tar_writer *w, const char *dir, const struct kernel *k,
	     const struct kernel_variant *v, struct dv_err *e)
{
	char *json, *readme = fs_join(dir, "README.md");
	char *image = fs_join(dir, v->image.path);
	jv *j;
	int rc;

	/* The release's kernel.json as the catalog normalizes it. */
	j = kernel_to_jv(k, false);
	json = jv_dump(j, JV_PRETTY);
	jv_free(j);
	rc = tar_writer_add_data(w, "kernel.json", json, strlen(json), false, e);
	if (rc == 0)
		rc = tar_writer_add_file(w, "README.md", readme, NULL, NULL, e);
	if (rc == 0)
		rc = tar_writer_add_file(w, v->image.path, image, NULL, NULL, e);
	if (rc == 0 && v->kit_path) {
		char *kit = fs_join(dir, v->kit_path);
		rc = add_tree(w, kit, v->kit_path, e);
		free(kit);
	}
	free(json);
	free(readme);
	free(image);
	return rc;
}

int
write_package(const struct gen_opts *o, const struct kernel *k,
	      struct kernel_variant *v, const struct output *w, struct dv_err *e)
{
	char *rel = xasprintf("pkg/%s/%s/%s.tar.zst", k->name, k->version, v->name);
	char *path = output_stage_path(w, rel, e);
	char *dir = release_dir(o, k->name, k->version);
	struct tar_writer *t = NULL;
	int fd = -1, rc = -1;

	if (!path)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		dv_errno(e, "cannot create '%s'", path);
		goto out;
	}
	t = tar_writer_open(fd, PACKAGE_LEVEL, 0, e);
	if (!t || fill_package(t, dir, k, v, e) < 0 || tar_writer_close(t, e) < 0)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		dv_errno(e, "cannot write '%s'", path);
		goto out;
	}
	fd = -1;
	if (sha256_file_hex(path, v->package.sha256, &v->package.size, e) < 0)
		goto out;
	free(v->package.path);
	v->package.path = rel;
	rel = NULL;
	v->has_package = true;
	rc = 0;
out:
	if (rc < 0)
		dv_err_prefix(e, "package %s:%s@%s", k->name, v->name, k->version);
	tar_writer_free(t);
	if (fd >= 0)
		close(fd);
	free(rel);
	free(path);
	free(dir);
	return rc;
}
