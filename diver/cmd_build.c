/*
 * diver build [DIR]
 *
 * Builds the app in DIR (default: the current directory) with its kit's
 * rules and the kernel's toolchain, then records the result as a net in
 * the store: data/nets/<id>/{image,net.json}, and DIR/build/net.json.
 * Build model none: make runs only when DIR has a Makefile, and DIR/rootfs/
 * (which must hold an executable init) is packed into a cpio initramfs.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "diver.h"
#include "fs.h"
#include "kernel.h"
#include "strbuf.h"
#include "tarball.h"
#include "timefmt.h"

enum { OPT_LIST_OPTIONS = 256 };

static const struct cli_opt options[] = {
	{ 'q', "quiet", NULL, "do not show the build commands" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver build [DIR] [--quiet]",
	"Build the app in DIR (default: .) for its kernel and record it as a net\n"
	"that 'diver dive' runs.",
	options,
};

struct app {
	char *dir;              /* absolute */
	char *kit;              /* DIR/.NAME */
	char *name;             /* kernel name */
	jv *lock;
	struct kernel k;
};

static void
app_release(struct app *a)
{
	free(a->dir);
	free(a->kit);
	free(a->name);
	jv_free(a->lock);
	kernel_release(&a->k);
}

/* Find DIR/.NAME/lock.json: the kit diver init placed. */
static int
find_kit(const char *dir, struct app *a, struct dv_err *e)
{
	char real[PATH_MAX], **names;
	int found = 0;

	if (!realpath(dir, real))
		return dv_errno(e, "app directory '%s'", dir);
	if (fs_list_dir(real, &names, NULL, e) < 0)
		return -1;
	for (char **n = names; *n; n++) {
		char *lock = xasprintf("%s/%s/lock.json", real, *n);
		if ((*n)[0] == '.' && name_valid(*n + 1) && fs_is_file(lock) && !found++)
			a->name = xstrdup(*n + 1);
		free(lock);
	}
	fs_names_free(names);
	if (found == 0)
		return dv_errf(e, "'%s' has no kernel kit; start an app with 'diver "
			       "init %s KERNEL'", dir, dir);
	if (found > 1)
		return dv_errf(e, "'%s' has kits of several kernels; keep one", dir);
	a->dir = xstrdup(real);
	a->kit = xasprintf("%s/.%s", real, a->name);
	return 0;
}

static int
load_app(const char *dir, struct app *a, struct dv_err *e)
{
	char *lock, *kj;
	int rc;

	memset(a, 0, sizeof *a);
	if (find_kit(dir, a, e) < 0)
		return -1;
	lock = fs_join(a->kit, "lock.json");
	kj = fs_join(a->kit, "kernel.json");
	a->lock = jv_load_file(lock, 1 << 20, e);
	rc = a->lock ? kernel_load(kj, &a->k, e) : -1;
	free(lock);
	free(kj);
	return rc;
}

char *
toolchain_cc(const struct home *h, const struct kernel *k)
{
	char *cc, *dir, *json;
	const char *rel;
	jv *tj;

	if (!k->toolchain_name)
		return NULL;
	dir = xasprintf("%s/toolchains/%s-%s", h->data, k->toolchain_name,
			k->toolchain_version);
	json = fs_join(dir, "toolchain.json");
	tj = fs_is_file(json) ? jv_load_file(json, 65536, NULL) : NULL;
	rel = jv_str(jv_get(tj, "cc"));
	cc = rel && fs_check_relative(rel, "cc", NULL) == 0 ? fs_join(dir, rel) : NULL;
	jv_free(tj);
	free(json);
	free(dir);
	if (cc && access(cc, X_OK) == 0)
		return cc;
	free(cc);
	return NULL;
}

static int
run_make(const struct app *a, const char *cc, bool quiet, struct dv_err *e)
{
	char *kitarg, *ccarg = NULL, *makefile = fs_join(a->dir, "Makefile");
	char *argv[8];
	int n = 0, status;
	bool none_without_makefile = !strcmp(a->k.build, "none") && !fs_is_file(makefile);
	pid_t pid;

	free(makefile);
	if (none_without_makefile)
		return 0;
	kitarg = xasprintf("KIT=.%s", a->name);
	argv[n++] = "make";
	argv[n++] = "-C";
	argv[n++] = a->dir;
	argv[n++] = kitarg;
	if (quiet)
		argv[n++] = "-s";
	if (cc)
		argv[n++] = ccarg = xasprintf("CC=%s", cc);
	argv[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp("make", argv);
		fprintf(stderr, "diver: cannot run make: %s\n", strerror(errno));
		_exit(127);
	}
	free(kitarg);
	free(ccarg);
	if (pid < 0)
		return dv_errno(e, "cannot start make");
	if (waitpid(pid, &status, 0) < 0)
		return dv_errno(e, "waiting for make");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return dv_errf(e, "building '%s' failed (make exited with status %d); "
			       "see the messages above", a->dir,
			       WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	return 0;
}

/* The bootable image for the build model (the kernel's own unless link). */
static char *
built_image(const struct app *a, struct dv_err *e)
{
	char *path;

	if (!strcmp(a->k.build, "link"))
		path = fs_join(a->dir, "build/net.elf");
	else
		path = fs_join(a->kit, "image");
	if (!fs_is_file(path)) {
		dv_errf(e, "the build did not produce '%s'; check the app's Makefile",
			path);
		free(path);
		return NULL;
	}
	return path;
}

static jv *
net_json(const struct app *a, const char *id, const char *sha, uint64_t size)
{
	jv *o = jv_object(), *k = jv_object(), *app = jv_object(), *img = jv_object();
	jv *modes = jv_array();
	char now[RFC3339_LEN];

	rfc3339_format(time(NULL), now);
	jv_set(o, "format", jv_integer(1));
	jv_set(o, "id", jv_string(id));
	jv_set(k, "name", jv_string(a->k.name));
	jv_set(k, "version", jv_string(a->k.version));
	jv_set(k, "variant", jv_string(jv_str(jv_get(a->lock, "variant"))));
	jv_set(k, "package_sha256", jv_string(jv_str(jv_get(jv_get(a->lock, "package"),
							     "sha256")) ?: ""));
	jv_set(o, "kernel", k);
	jv_set(app, "name", jv_string(strrchr(a->dir, '/') + 1));
	jv_set(app, "dir", jv_string(a->dir));
	jv_set(o, "app", app);
	jv_set(o, "build", jv_string(a->k.build));
	jv_set(img, "path", jv_string("image"));
	jv_set(img, "format", jv_string(jv_str(jv_get(jv_get(a->lock, "image"), "format"))));
	jv_set(img, "sha256", jv_string(sha));
	jv_set(img, "size", jv_integer((long long)size));
	jv_set(o, "image", img);
	jv_set(o, "interface", jv_deep_copy(a->k.interface));
	for (size_t i = 0; i < a->k.modes.n; i++)
		jv_push(modes, jv_string(a->k.modes.v[i]));
	jv_set(o, "modes", modes);
	jv_set(o, "created", jv_string(now));
	return o;
}

/*
 * Build model "none": DIR/rootfs/ packed into DIR/build/initrd.cpio (temp
 * and rename), the initramfs the kernel runs; rootfs/init is the app.
 */
static char *
pack_initramfs(const struct app *a, struct dv_err *e)
{
	char *root = fs_join(a->dir, "rootfs"), *init = fs_join(root, "init");
	char *out = fs_join(a->dir, "build/initrd.cpio"), *dir = fs_join(a->dir, "build");
	char *tmp = NULL, *packed = NULL;
	int fd;

	if (!fs_is_file(init) || access(init, X_OK) < 0) {
		dv_errf(e, "'%s' is missing or not executable: a Linux kernel runs the "
			"app's initramfs from rootfs/init (see 'diver init' and "
			"docs/kernel-interface.md)", init);
		goto out;
	}
	if (fs_mkdir_p(dir, 0755, e) < 0 || (fd = fs_temp_open(out, &tmp, e)) < 0)
		goto out;
	if (cpio_write_tree(fd, root, 0, e) < 0)
		fs_temp_abort(fd, tmp);
	else if (fs_temp_commit(fd, tmp, out, 0644, e) == 0)
		packed = xstrdup(out);
out:
	free(root);
	free(init);
	free(dir);
	free(out);
	return packed;
}

/*
 * What the kernel loads beside its image: the app module (build model
 * "module") or the initramfs ("none"); NULL for "link" and on errors.
 */
static char *
built_extra(const struct app *a, struct dv_err *e)
{
	char *path;

	if (!strcmp(a->k.build, "none"))
		return pack_initramfs(a, e);
	if (strcmp(a->k.build, "module"))
		return NULL;
	path = fs_join(a->dir, "build/app.elf");
	if (!fs_is_file(path)) {
		dv_errf(e, "the build did not produce '%s'; check the app's Makefile",
			path);
		free(path);
	}
	return fs_is_file(path) ? path : NULL;
}

/* net.json's key (and the file's name) for what built_extra made. */
static const char *
extra_key(const struct app *a)
{
	return !strcmp(a->k.build, "none") ? "initrd" : "module";
}

static int
store_net(const struct home *h, const struct app *a, const char *image,
	  const char *module, char id[13], uint64_t *size, struct dv_err *e)
{
	char sha[SHA256_HEX], idhex[SHA256_HEX], msha[SHA256_HEX] = "";
	char *nets = fs_join(h->data, "nets"), *dir = NULL, *staging = NULL;
	char *seed, *text = NULL, *p;
	uint64_t msize = 0;
	jv *json = NULL;
	int rc = -1;

	if (sha256_file_hex(image, sha, size, e) < 0 ||
	    (module && sha256_file_hex(module, msha, &msize, e) < 0))
		goto out;
	seed = xasprintf("%s:%s@%s\n%s\n%s", a->k.name,
			 jv_str(jv_get(a->lock, "variant")), a->k.version, sha, msha);
	sha256_buf_hex(seed, strlen(seed), idhex);
	free(seed);
	memcpy(id, idhex, 12);
	id[12] = '\0';
	dir = fs_join(nets, id);
	if (fs_mkdir_p(nets, 0755, e) < 0 || fs_staging_dir(dir, &staging, e) < 0)
		goto out;
	json = net_json(a, id, sha, *size);
	if (module) {
		jv *m = jv_object();
		jv_set(m, "path", jv_string(extra_key(a)));
		jv_set(m, "format", jv_string(strcmp(extra_key(a), "module") ? "newc"
								      : "elf32"));
		jv_set(m, "sha256", jv_string(msha));
		jv_set(m, "size", jv_integer((long long)msize));
		jv_set(json, extra_key(a), m);
		*size += msize;
	}
	text = jv_dump(json, JV_PRETTY);
	p = fs_join(staging, "image");
	rc = fs_copy_file(image, p, e);
	free(p);
	if (rc == 0 && module) {
		p = fs_join(staging, extra_key(a));
		rc = fs_copy_file(module, p, e);
		free(p);
	}
	p = fs_join(staging, "net.json");
	if (rc == 0)
		rc = fs_write_atomic(p, text, strlen(text), 0644, e);
	free(p);
	if (rc == 0)
		rc = fs_replace_dir(staging, dir, e);
	p = fs_join(a->dir, "build/net.json");
	if (rc == 0)
		rc = fs_write_atomic(p, text, strlen(text), 0644, e);
	free(p);
out:
	if (staging)
		fs_rm_rf(staging, NULL);
	free(staging);
	free(text);
	jv_free(json);
	free(dir);
	free(nets);
	return rc;
}

static int
build(const char *dir, bool quiet)
{
	struct dv_err e = { "" };
	char id[13], sz[32], *cc = NULL, *image = NULL, *module = NULL;
	uint64_t size;
	struct app a;
	struct home h;
	int rc = 1;

	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (load_app(dir, &a, &e) < 0)
		goto out;
	cc = toolchain_cc(&h, &a.k);
	if (run_make(&a, cc, quiet, &e) < 0 || !(image = built_image(&a, &e)) ||
	    (!(module = built_extra(&a, &e)) && e.msg[0]) ||
	    store_net(&h, &a, image, module, id, &size, &e) < 0)
		goto out;
	format_size(size, sz);
	printf("built net %s: app '%s' on %s:%s@%s (%s)\n", id,
	       strrchr(a.dir, '/') + 1, a.k.name, jv_str(jv_get(a.lock, "variant")),
	       a.k.version, sz);
	rc = 0;
out:
	if (rc)
		fail(e.msg);
	free(cc);
	free(image);
	free(module);
	app_release(&a);
	home_release(&h);
	return rc;
}

int
cmd_build(int argc, char **argv)
{
	bool quiet = false;
	char *arg;
	int c;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver build", "bad option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("diver build", "expected at most one DIR");
	return build(optind < argc ? argv[optind] : ".", quiet);
}
