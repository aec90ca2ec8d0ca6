/*
 * scan.c — read a kernels/ tree: KERNELS/NAME/VERSION/{kernel.json,README.md,
 * VARIANT/image,VARIANT/kit/}.  Directories under NAME that are not versions
 * (src/, say) are the publisher's and are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog-gen.h"
#include "fs.h"
#include "ref.h"
#include "strbuf.h"

char *
release_dir(const struct gen_opts *o, const struct kernel *k)
{
	return xasprintf("%s/%s/%s", o->kernels_dir, k->name, k->version);
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
check_release(const struct gen_opts *o, const char *name, const char *version,
	      const char *json, struct kernel *k, struct dv_err *e)
{
	char *dir = xasprintf("%s/%s/%s", o->kernels_dir, name, version);
	char *readme = fs_join(dir, "README.md");
	int rc = -1;

	if (strcmp(k->name, name)) {
		dv_errf(e, "%s: field \"name\": expected \"%s\" (the directory "
			"name), got \"%s\"", json, name, k->name);
		goto out;
	}
	if (strcmp(k->version, version)) {
		dv_errf(e, "%s: field \"version\": expected \"%s\" (the directory "
			"name), got \"%s\"", json, version, k->version);
		goto out;
	}
	if (!fs_is_file(readme)) {
		dv_errf(e, "%s: README.md is missing; every release needs one for its "
			"catalog page", dir);
		goto out;
	}
	for (size_t i = 0; i < k->nvariants; i++) {
		const struct kernel_variant *v = &k->variants[i];
		if (check_image(o, json, dir, v, e) < 0)
			goto out;
		if (v->kit_path) {
			char *kit = fs_join(dir, v->kit_path);
			bool ok = fs_is_dir(kit);
			free(kit);
			if (!ok) {
				dv_errf(e, "%s: field \"variants.%s.kit.path\": '%s' is "
					"not a directory in %s", json, v->name,
					v->kit_path, dir);
				goto out;
			}
		}
	}
	rc = 0;
out:
	free(readme);
	free(dir);
	return rc;
}

static int
scan_release(const struct gen_opts *o, const char *name, const char *version,
	     struct catalog *cat, struct dv_err *e)
{
	char *json = xasprintf("%s/%s/%s/kernel.json", o->kernels_dir, name, version);
	struct kernel k;
	int rc = -1;

	if (!fs_is_file(json)) {
		dv_errf(e, "%s: missing; every release directory needs a kernel.json",
			json);
		free(json);
		return -1;
	}
	if (kernel_load(json, &k, e) < 0)
		goto out;
	for (size_t i = 0; i < k.warnings.n; i++)
		strlist_push(&cat->warnings, k.warnings.v[i]);
	if (check_release(o, name, version, json, &k, e) < 0)
		goto out;
	if (catalog_add_release(cat, &k, e) < 0) {
		dv_err_prefix(e, "%s", json);
		goto out;
	}
	rc = 0;
out:
	kernel_release(&k);
	free(json);
	return rc;
}

static int
scan_kernel(const struct gen_opts *o, const char *name, struct catalog *cat,
	    struct dv_err *e)
{
	char *dir = fs_join(o->kernels_dir, name), **names;
	struct semver sv;
	int rc = 0;

	if (fs_list_dir(dir, &names, NULL, e) < 0) {
		free(dir);
		return -1;
	}
	for (char **n = names; *n && rc == 0; n++) {
		char *sub = fs_join(dir, *n);
		if (fs_is_dir(sub) && semver_parse(*n, &sv) == 0)
			rc = scan_release(o, name, *n, cat, e);
		free(sub);
	}
	fs_names_free(names);
	free(dir);
	return rc;
}

int
scan_kernels(const struct gen_opts *o, struct catalog *cat, struct dv_err *e)
{
	char **names;
	int rc = 0;

	if (!fs_is_dir(o->kernels_dir))
		return dv_errf(e, "kernels directory '%s' does not exist",
			       o->kernels_dir);
	if (fs_list_dir(o->kernels_dir, &names, NULL, e) < 0)
		return -1;
	for (char **n = names; *n && rc == 0; n++) {
		char *sub = fs_join(o->kernels_dir, *n);
		if ((*n)[0] != '.' && fs_is_dir(sub)) {
			if (!name_valid(*n))
				rc = dv_errf(e, "'%s': a kernel directory must be named "
					     "with lowercase letters, digits and '-'",
					     sub);
			else
				rc = scan_kernel(o, *n, cat, e);
		}
		free(sub);
	}
	fs_names_free(names);
	return rc;
}
