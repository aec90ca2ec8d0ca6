/*
 * toolchain.c — toolchains as catalog items.
 *
 * KERNELS/toolchains/NAME/VERSION/toolchain.json names a toolchain and
 * root/ holds its prefix, which must run from wherever it is unpacked.
 * Each becomes pkg/toolchains/NAME/VERSION.tar.zst (toolchain.json, then
 * the prefix's files at the top) and one entry of catalog.json's
 * "toolchains".  Like releases, toolchain versions are immutable: one the
 * previous output already has is reused as it is (--full makes it again).
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
#include "ref.h"
#include "strbuf.h"
#include "tarball.h"

#define TOOLCHAIN_JSON_MAX (64 * 1024)

struct toolchain {
	jv *json;                       /* toolchain.json, checked */
	char *dir;                      /* KERNELS/toolchains/NAME/VERSION */
	char *rel;                      /* pkg/toolchains/NAME/VERSION.tar.zst */
	char sha256[SHA256_HEX];
	uint64_t size;
};

static int
check_json(const char *path, const char *name, const char *version,
	   const char *dir, jv **out, struct dv_err *e)
{
	static const char *const fields[] = { "name", "version", "summary",
					      "license", "host", "cc", NULL };
	jv *v = jv_load_file(path, TOOLCHAIN_JSON_MAX, e);
	char *cc;
	struct stat st;

	if (!v)
		return -1;
	for (const char *const *f = fields; *f; f++)
		if (!jv_str(jv_get(v, *f)) || !*jv_str(jv_get(v, *f))) {
			dv_errf(e, "%s: field \"%s\": expected a non-empty string",
				path, *f);
			goto bad;
		}
	if (strcmp(jv_str(jv_get(v, "name")), name) ||
	    strcmp(jv_str(jv_get(v, "version")), version)) {
		dv_errf(e, "%s: name and version must be those of its directory "
			"(%s, %s)", path, name, version);
		goto bad;
	}
	if (fs_check_relative(jv_str(jv_get(v, "cc")), path, e) < 0)
		goto bad;
	cc = xasprintf("%s/root/%s", dir, jv_str(jv_get(v, "cc")));
	if (stat(cc, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0100)) {
		dv_errf(e, "%s: field \"cc\": '%s' is not an executable file", path, cc);
		free(cc);
		goto bad;
	}
	free(cc);
	*out = v;
	return 0;
bad:
	jv_free(v);
	return -1;
}

/* Every NAME/VERSION under KERNELS/toolchains, checked. */
static int
scan(const struct gen_opts *o, struct toolchain **out, size_t *n, struct dv_err *e)
{
	char *top = fs_join(o->kernels_dir, "toolchains"), **names = NULL;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!fs_is_dir(top)) {
		free(top);
		return 0;
	}
	if (fs_list_dir(top, &names, NULL, e) < 0) {
		free(top);
		return -1;
	}
	for (char **nm = names; *nm && rc == 0; nm++) {
		char *ndir = fs_join(top, *nm), **versions;
		if ((*nm)[0] == '.' || !fs_is_dir(ndir)) {
			free(ndir);
			continue;
		}
		if (!name_valid(*nm)) {
			rc = dv_errf(e, "'%s': a toolchain directory must be named with "
				     "lowercase letters, digits and '-'", ndir);
		} else if ((rc = fs_list_dir(ndir, &versions, NULL, e)) == 0) {
			for (char **v = versions; *v && rc == 0; v++) {
				char *dir = fs_join(ndir, *v), *json;
				struct semver sv;
				struct toolchain *t;
				if ((*v)[0] == '.' || !fs_is_dir(dir)) {
					free(dir);
					continue;
				}
				json = fs_join(dir, "toolchain.json");
				if (semver_parse(*v, &sv) < 0)
					rc = dv_errf(e, "'%s': expected a version directory "
						     "like 1.2.3", dir);
				*out = xrealloc(*out, (*n + 1) * sizeof **out);
				t = &(*out)[*n];
				memset(t, 0, sizeof *t);
				if (rc == 0 && check_json(json, *nm, *v, dir, &t->json, e) == 0) {
					t->dir = dir;
					t->rel = xasprintf("pkg/toolchains/%s/%s.tar.zst", *nm, *v);
					(*n)++;
					dir = NULL;
				} else {
					rc = -1;
				}
				free(dir);
				free(json);
			}
			fs_names_free(versions);
		}
		free(ndir);
	}
	fs_names_free(names);
	free(top);
	return rc;
}

static int
pack(const struct toolchain *t, const char *path, struct dv_err *e)
{
	char *root = fs_join(t->dir, "root"), *json = jv_dump(t->json, JV_PRETTY);
	struct tar_writer *w = NULL;
	char **names = NULL;
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		dv_errno(e, "cannot create '%s'", path);
		goto out;
	}
	if (!(w = tar_writer_open(fd, 3, 0, e)) ||
	    tar_writer_add_data(w, "toolchain.json", json, strlen(json), false, e) < 0 ||
	    fs_list_dir(root, &names, NULL, e) < 0)
		goto out;
	rc = 0;
	for (char **n = names; *n && rc == 0; n++) {
		char *src = fs_join(root, *n);
		if (!strcmp(*n, "toolchain.json"))
			rc = dv_errf(e, "'%s': the prefix may not have its own "
				     "toolchain.json", src);
		else
			rc = add_tree(w, src, *n, e);
		free(src);
	}
	if (rc == 0)
		rc = tar_writer_close(w, e);
out:
	tar_writer_free(w);
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = dv_errno(e, "cannot write '%s'", path);
	fs_names_free(names);
	free(json);
	free(root);
	return rc;
}

/* Reuse the previous output's package, or make it in staging. */
static int
package(const struct gen_opts *o, struct output *w, struct toolchain *t,
	struct dv_err *e)
{
	const struct out_file *old = manifest_find(&w->old, t->rel);
	char *prev = fs_join(o->out_dir, t->rel), *path;
	struct stat st;
	int rc;

	if (old && !o->full && !w->swap && stat(prev, &st) == 0) {
		memcpy(t->sha256, old->sha256, SHA256_HEX);
		t->size = (uint64_t)st.st_size;
		output_record(w, t->rel, t->sha256, false);
		free(prev);
		return 0;
	}
	free(prev);
	if (!(path = output_stage_path(w, t->rel, e)))
		return -1;
	rc = pack(t, path, e);
	if (rc == 0)
		rc = sha256_file_hex(path, t->sha256, &t->size, e);
	if (rc == 0)
		output_record(w, t->rel, t->sha256, true);
	free(path);
	return rc < 0 ? dv_err_prefix(e, "toolchain '%s'", t->dir) : 0;
}

int
toolchains_render(const struct gen_opts *o, struct output *w, struct strbuf *json,
		  size_t *count, struct dv_err *e)
{
	struct toolchain *t;
	size_t n;
	int rc = scan(o, &t, &n, e);

	for (size_t i = 0; rc == 0 && w && i < n; i++) {
		jv *entry, *pkg = jv_object();
		char *line;
		if ((rc = package(o, w, &t[i], e)) < 0)
			break;
		entry = jv_deep_copy(t[i].json);
		jv_set(pkg, "path", jv_string(t[i].rel));
		jv_set(pkg, "sha256", jv_string(t[i].sha256));
		jv_set(pkg, "size", jv_integer((long long)t[i].size));
		jv_set(entry, "package", pkg);
		line = jv_dump(entry, 0);
		strbuf_addstr(json, i ? ",\n" : "\n");
		strbuf_addstr(json, line);
		free(line);
		jv_free(entry);
	}
	if (json->len)
		strbuf_addch(json, '\n');
	for (size_t i = 0; i < n; i++) {
		jv_free(t[i].json);
		free(t[i].dir);
		free(t[i].rel);
	}
	free(t);
	*count = rc == 0 ? n : 0;
	return rc;
}
