/*
 * diver init DIR REF [--force]
 *
 * Starts an app for kernel REF (NAME[:VARIANT][@VERSION]) in DIR: the kit's
 * template (Makefile, main.c) and .NAME/ holding the kit, the kernel image,
 * kernel.json and lock.json, which pins the exact release and package hash.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diver.h"
#include "fs.h"
#include "strbuf.h"

enum { OPT_LIST_OPTIONS = 256 };

static const struct cli_opt options[] = {
	{ 'f', "force", NULL, "write into a directory that is not empty" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver init DIR NAME[:VARIANT][@VERSION] [--force]",
	"Start an app for a kernel: DIR gets the kit's Makefile and main.c, and\n"
	"DIR/.NAME/ the kit itself with a lock file naming the exact release.",
	options,
};

static bool
dir_is_empty(const char *dir)
{
	char **names;
	size_t n;
	bool empty;

	if (!fs_exists(dir))
		return true;
	if (fs_list_dir(dir, &names, &n, NULL) < 0)
		return false;
	empty = n == 0;
	fs_names_free(names);
	return empty;
}

static jv *
lock_json(const struct resolved *res)
{
	const struct kernel *k = res->rel;
	const struct kernel_variant *v = res->var;
	jv *o = jv_object(), *pkg = jv_object(), *img = jv_object();

	jv_set(o, "format", jv_integer(1));
	jv_set(o, "kernel", jv_string(k->name));
	jv_set(o, "version", jv_string(k->version));
	jv_set(o, "variant", jv_string(v->name));
	jv_set(o, "source", jv_string(res->src->name));
	jv_set(pkg, "path", jv_string(v->package.path));
	jv_set(pkg, "sha256", jv_string(v->package.sha256));
	jv_set(pkg, "size", jv_integer((long long)v->package.size));
	jv_set(o, "package", pkg);
	jv_set(img, "path", jv_string("image"));
	jv_set(img, "format", jv_string(v->image_format));
	jv_set(img, "sha256", jv_string(v->image.sha256));
	jv_set(img, "size", jv_integer((long long)v->image.size));
	jv_set(o, "image", img);
	jv_set(o, "build", jv_string(k->build));
	if (k->toolchain_name) {
		jv *t = jv_object();
		jv_set(t, "name", jv_string(k->toolchain_name));
		jv_set(t, "version", jv_string(k->toolchain_version));
		jv_set(o, "toolchain", t);
	}
	jv_set(o, "interface", jv_deep_copy(k->interface));
	return o;
}

/* Fill staging with the kit, image, kernel.json and lock.json. */
static int
fill_kitdir(const struct resolved *res, const char *unpacked,
	    const char *staging, struct dv_err *e)
{
	char *src, *dst, *text;
	jv *lock;
	int rc = 0;

	if (res->var->kit_path) {
		src = fs_join(unpacked, res->var->kit_path);
		rc = fs_copy_tree(src, staging, e);
		free(src);
	}
	src = fs_join(unpacked, res->var->image.path);
	dst = fs_join(staging, "image");
	if (rc == 0)
		rc = fs_copy_file(src, dst, e);
	free(src);
	free(dst);
	src = fs_join(unpacked, "kernel.json");
	dst = fs_join(staging, "kernel.json");
	if (rc == 0)
		rc = fs_copy_file(src, dst, e);
	free(src);
	free(dst);
	lock = lock_json(res);
	text = jv_dump(lock, JV_PRETTY);
	dst = fs_join(staging, "lock.json");
	if (rc == 0)
		rc = fs_write_atomic(dst, text, strlen(text), 0644, e);
	free(dst);
	free(text);
	jv_free(lock);
	return rc;
}

static int
copy_template(const char *kitdir, const char *dir, struct dv_err *e)
{
	char *tpl = fs_join(kitdir, "template"), **names;
	int rc = 0;

	if (!fs_is_dir(tpl)) {
		free(tpl);
		return 0;
	}
	if (fs_list_dir(tpl, &names, NULL, e) < 0) {
		free(tpl);
		return -1;
	}
	for (char **n = names; *n && rc == 0; n++) {
		char *s = fs_join(tpl, *n), *d = fs_join(dir, *n);
		rc = fs_copy_tree(s, d, e);
		free(s);
		free(d);
	}
	fs_names_free(names);
	free(tpl);
	return rc;
}

static int
init_app(const char *dir, const struct resolved *res, const char *unpacked,
	 struct dv_err *e)
{
	char *kitdir = xasprintf("%s/.%s", dir, res->rel->name), *staging = NULL;
	int rc = -1;

	if (fs_mkdir_p(dir, 0755, e) < 0 || fs_staging_dir(kitdir, &staging, e) < 0)
		goto out;
	if (fill_kitdir(res, unpacked, staging, e) < 0 ||
	    fs_replace_dir(staging, kitdir, e) < 0 ||
	    copy_template(kitdir, dir, e) < 0)
		goto out;
	rc = 0;
out:
	if (staging)
		fs_rm_rf(staging, NULL);
	free(staging);
	free(kitdir);
	return rc;
}

static int
run(const char *dir, const char *refstr, bool force)
{
	struct dv_err e = { "" };
	struct resolved res;
	struct sources s = { 0 };
	char *unpacked = NULL, *toolchain = NULL;
	struct home h;
	struct ref r;
	int rc = 1;

	if (ref_parse(refstr, &r, &e) < 0)
		return fail(e.msg);
	if (!force && !dir_is_empty(dir))
		return failf("'%s' is not empty; pass --force to write into it", dir);
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (sources_load(&h, &s, &e) < 0 || sources_resolve(&h, &s, &r, &res, &e) < 0 ||
	    cache_unpacked(&h, &res, &unpacked, &e) < 0 ||
	    toolchain_install(&h, res.src, res.rel, &toolchain, &e) < 0 ||
	    init_app(dir, &res, unpacked, &e) < 0) {
		fail(e.msg);
		goto out;
	}
	if (toolchain)
		printf("toolchain %s %s in %s\n", res.rel->toolchain_name,
		       res.rel->toolchain_version, toolchain);
	printf("created app '%s' for %s:%s@%s (kit in %s/.%s)\n"
	       "next: diver build %s && diver dive %s\n", dir, res.rel->name,
	       res.var->name, res.rel->version, dir, res.rel->name, dir, dir);
	rc = 0;
out:
	free(unpacked);
	free(toolchain);
	sources_release(&s);
	home_release(&h);
	return rc;
}

int
cmd_init(int argc, char **argv)
{
	bool force = false;
	char *arg;
	int c;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver init", "bad option");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("diver init", "expected DIR and a kernel reference");
	return run(argv[optind], argv[optind + 1], force);
}
