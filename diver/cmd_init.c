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

enum { OPT_EXAMPLE = 256, OPT_LIST_EXAMPLES, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ 'f', "force", NULL, "write into a directory that is not empty" },
	{ OPT_EXAMPLE, "example", "NAME", "start from one of the kit's example apps" },
	{ OPT_LIST_EXAMPLES, "list-examples", NULL, "list the kit's example apps (give only REF)" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver init DIR NAME[:VARIANT][@VERSION] [--force] [--example NAME]\n"
	"       diver init --list-examples NAME[:VARIANT][@VERSION]",
	"Start an app for a kernel: DIR gets the kit's Makefile and main.c (or an\n"
	"example app's sources), and DIR/.NAME/ the kit itself with a lock file\n"
	"naming the exact release.",
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

/*
 * Build model "none" with no template in the kit: a Linux initramfs app
 * (docs/kernel-interface.md, "Linux kernels"): rootfs/init, a Makefile
 * that puts a static busybox into rootfs/, and a README.
 */
static const char none_init[] =
	"#!/bin/sh\n"
	"# rootfs/init - the app.  'diver build' packs rootfs/ into the initramfs\n"
	"# and the kernel runs this as process 1, with the arguments given after\n"
	"# 'diver dive DIR --'.  What it must do: docs/kernel-interface.md, Linux.\n"
	"/bin/busybox mkdir -p /proc /sys /dev\n"
	"/bin/busybox mount -t proc proc /proc\n"
	"/bin/busybox mount -t devtmpfs dev /dev\n"
	"/bin/busybox --install -s /bin\n"
	"export PATH=/bin\n"
	"# stdin and stdout are COM1 (stderr stays on the log, COM2): bytes as\n"
	"# they are, input not echoed; then the ready frame (FF 03): diver\n"
	"# sends stdin only after it\n"
	"exec </dev/ttyS0 >/dev/ttyS0\n"
	"stty raw -echo\n"
	"printf \"\\377\\003\"\n"
	"\n"
	"main() {\n"
	"\techo \"Hello from Linux! arguments: $*\"\n"
	"}\n"
	"\n"
	"main \"$@\"\n"
	"status=$?\n"
	"# the exit frame (FF 02 STATUS), then let ttyS0 drain (its last close\n"
	"# waits until it has sent everything) and power off\n"
	"printf \"\\377\\002\\\\$(printf %o \"$status\")\"\n"
	"exec >/dev/null </dev/null\n"
	"poweroff -f\n";

static const char none_makefile[] =
	"# 'diver build' runs make, then packs rootfs/ into the app's initramfs\n"
	"# (rootfs/ is its /, rootfs/init the app).  This puts a static busybox\n"
	"# there (Debian: busybox-static).\n"
	"BUSYBOX ?= /bin/busybox\n"
	"\n"
	"all: rootfs/bin/busybox rootfs/bin/sh\n"
	"\n"
	"rootfs/bin/busybox: $(BUSYBOX)\n"
	"\t@mkdir -p rootfs/bin\n"
	"\tcp $(BUSYBOX) $@\n"
	"\n"
	"rootfs/bin/sh:\n"
	"\t@mkdir -p rootfs/bin\n"
	"\tln -sf busybox $@\n"
	"\n"
	"clean:\n"
	"\trm -rf build rootfs/bin\n"
	"\n"
	".PHONY: all clean\n";

static const char none_readme[] =
	"A Linux initramfs app: rootfs/ is the initramfs and rootfs/init the app.\n"
	"Build it with 'diver build', run it with 'diver dive . -- ARGS'.\n"
	"rootfs/init writes its exit status to the console and powers off;\n"
	"docs/kernel-interface.md (Linux kernels) says what it must do.\n";

static int
write_none_template(const char *dir, struct dv_err *e)
{
	char *root = fs_join(dir, "rootfs"), *p = fs_join(root, "init");
	int rc = fs_mkdir_p(root, 0755, e);

	if (rc == 0)
		rc = fs_write_atomic(p, none_init, strlen(none_init), 0755, e);
	free(p);
	p = fs_join(dir, "Makefile");
	if (rc == 0)
		rc = fs_write_atomic(p, none_makefile, strlen(none_makefile), 0644, e);
	free(p);
	p = fs_join(dir, "README");
	if (rc == 0)
		rc = fs_write_atomic(p, none_readme, strlen(none_readme), 0644, e);
	free(p);
	free(root);
	return rc;
}

/* Copy every entry of kitdir/sub into dir (nothing when sub is absent). */
static int
copy_template(const char *kitdir, const char *sub, const char *dir, struct dv_err *e)
{
	char *tpl = fs_join(kitdir, sub), **names;
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

/* The kit's examples/ (NULL when it has none): names, sorted. */
static char **
examples(const struct resolved *res, const char *unpacked, char **where)
{
	char **names = NULL;

	*where = res->var->kit_path ? xasprintf("%s/%s/examples", unpacked,
						res->var->kit_path) : NULL;
	if (*where && fs_is_dir(*where) && fs_list_dir(*where, &names, NULL, NULL) == 0)
		return names;
	return NULL;
}

/* "cat, hello, spin" */
static char *
example_list(char **names)
{
	struct strbuf sb = STRBUF_INIT;

	for (char **n = names; n && *n; n++)
		strbuf_addf(&sb, "%s%s", n == names ? "" : ", ", *n);
	return strbuf_detach(&sb, NULL);
}

static int
check_example(const struct resolved *res, const char *unpacked, const char *name,
	      struct dv_err *e)
{
	char *where, **names = examples(res, unpacked, &where), *list;
	int rc = 0;
	bool found = false;

	for (char **n = names; n && *n; n++)
		found |= !strcmp(*n, name);
	if (!found) {
		list = example_list(names);
		rc = dv_errf(e, "%s:%s@%s has no example '%s'; %s%s", res->rel->name,
			     res->var->name, res->rel->version, name,
			     names ? "its examples are " : "its kit has no examples",
			     list);
		free(list);
	}
	fs_names_free(names);
	free(where);
	return rc;
}

/* The first comment line of an example's main.c: what it does. */
static void
print_examples(const struct resolved *res, const char *unpacked)
{
	char *where, **names = examples(res, unpacked, &where);

	if (!names)
		printf("%s:%s@%s has no example apps\n", res->rel->name,
		       res->var->name, res->rel->version);
	for (char **n = names; n && *n; n++) {
		char *main_c = xasprintf("%s/%s/main.c", where, *n), *what = NULL;
		struct strbuf sb = STRBUF_INIT;
		if (fs_read_file(main_c, 65536, &sb, NULL) == 0) {
			char *p = strstr(sb.buf, " * ");
			if (p) {
				p += 3;
				what = xstrndup(p, strcspn(p, "\n"));
			}
		}
		printf("%-10s %s\n", *n, what ? what : "");
		free(what);
		strbuf_release(&sb);
		free(main_c);
	}
	if (names)
		printf("start one: diver init DIR %s:%s@%s --example NAME\n",
		       res->rel->name, res->var->name, res->rel->version);
	fs_names_free(names);
	free(where);
}

static bool
has_template(const char *kitdir)
{
	char *tpl = fs_join(kitdir, "template");
	bool yes = fs_is_dir(tpl);

	free(tpl);
	return yes;
}

static int
init_app(const char *dir, const struct resolved *res, const char *unpacked,
	 const char *example, struct dv_err *e)
{
	char *kitdir = xasprintf("%s/.%s", dir, res->rel->name), *staging = NULL;
	int rc = -1;

	if (fs_mkdir_p(dir, 0755, e) < 0 || fs_staging_dir(kitdir, &staging, e) < 0)
		goto out;
	if (fill_kitdir(res, unpacked, staging, e) < 0 ||
	    fs_replace_dir(staging, kitdir, e) < 0)
		goto out;
	if (!strcmp(res->rel->build, "none") && !has_template(kitdir)) {
		if (write_none_template(dir, e) < 0)
			goto out;
	} else if (copy_template(kitdir, "template", dir, e) < 0)
		goto out;
	if (example) {
		char *sub = xasprintf("examples/%s", example);
		rc = copy_template(kitdir, sub, dir, e);
		free(sub);
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	if (staging)
		fs_rm_rf(staging, NULL);
	free(staging);
	free(kitdir);
	return rc;
}

static int
run(const char *dir, const char *refstr, bool force, const char *example,
    bool list)
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
	if (!list && !force && !dir_is_empty(dir))
		return failf("'%s' is not empty; pass --force to write into it", dir);
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (sources_load(&h, &s, &e) < 0 || sources_resolve(&h, &s, &r, &res, &e) < 0 ||
	    cache_unpacked(&h, &res, &unpacked, &e) < 0) {
		fail(e.msg);
		goto out;
	}
	if (list) {
		print_examples(&res, unpacked);
		rc = 0;
		goto out;
	}
	if ((example && check_example(&res, unpacked, example, &e) < 0) ||
	    toolchain_install(&h, res.src, res.rel, &toolchain, &e) < 0 ||
	    init_app(dir, &res, unpacked, example, &e) < 0) {
		fail(e.msg);
		goto out;
	}
	if (toolchain)
		printf("toolchain %s %s in %s\n", res.rel->toolchain_name,
		       res.rel->toolchain_version, toolchain);
	printf("created app '%s'%s%s for %s:%s@%s (kit in %s/.%s)\n"
	       "next: diver build %s && diver dive %s\n", dir,
	       example ? " from example " : "", example ? example : "", res.rel->name,
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
	bool force = false, list = false;
	const char *example = NULL;
	char *arg;
	int c;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		case OPT_EXAMPLE: example = arg; break;
		case OPT_LIST_EXAMPLES: list = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver init", "bad option");
		}
	}
	if (list && argc - optind == 1)
		return run(NULL, argv[optind], false, NULL, true);
	if (list || argc - optind != 2)
		return cli_usage_error("diver init", list ? "--list-examples takes only "
				       "a kernel reference" : "expected DIR and a kernel "
				       "reference");
	if (example && (!name_valid(example)))
		return cli_usage_error("diver init", "--example '%s': expected a name "
				       "like cat (see --list-examples)", example);
	return run(argv[optind], argv[optind + 1], force, example, false);
}
