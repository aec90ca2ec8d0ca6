/*
 * diver publish [DIR] --to KERNELS_DIR (--version V | --bump patch|minor|major)
 *
 * Runs a kernel's publisher script, DIR/publish.sh VERSION KERNELS_DIR
 * (docs/kernel-interface.md: it writes KERNELS_DIR/NAME/VERSION/ in one
 * rename), then checks what it wrote as catalog-gen will: kernel.json
 * valid and naming that release, every image present with its sha256.
 * A version that exists is refused before anything runs (releases are
 * immutable); a release that fails the check is removed again.  NAME is
 * DIR's name.  Publishing is then: diver publish, git commit, catalog-gen.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "diver.h"
#include "fs.h"
#include "strbuf.h"

enum { OPT_TO = 256, OPT_VERSION, OPT_BUMP, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_TO, "to", "KERNELS_DIR", "the kernels/ tree to publish into" },
	{ OPT_VERSION, "version", "V", "the new release's version (semantic)" },
	{ OPT_BUMP, "bump", "PART",
	  "or: the newest published version with its patch, minor or major raised" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver publish [DIR] --to KERNELS_DIR (--version V | --bump patch|minor|major)",
	"Publish a new, immutable release of the kernel whose sources are in DIR\n"
	"(default .) by running DIR/publish.sh, and check it as catalog-gen will.",
	options,
};

/* The newest version under dir, "" when none. */
static void
newest(const char *dir, char out[64])
{
	char **names;

	out[0] = '\0';
	if (!fs_is_dir(dir) || fs_list_dir(dir, &names, NULL, NULL) < 0)
		return;
	for (char **n = names; *n; n++) {
		struct semver v;
		if (semver_parse(*n, &v) == 0 && strlen(*n) < 64 &&
		    (!out[0] || version_cmp(*n, out) > 0))
			snprintf(out, 64, "%s", *n);
	}
	fs_names_free(names);
}

static int
bump(const char *dir, const char *part, char out[64], struct dv_err *e)
{
	char cur[64];
	struct semver v;

	newest(dir, cur);
	if (!cur[0])
		return dv_errf(e, "nothing is published in '%s' yet; give the first "
			       "version with --version", dir);
	semver_parse(cur, &v);
	if (!strcmp(part, "major"))
		snprintf(out, 64, "%lld.0.0", (long long)v.major + 1);
	else if (!strcmp(part, "minor"))
		snprintf(out, 64, "%lld.%lld.0", (long long)v.major, (long long)v.minor + 1);
	else
		snprintf(out, 64, "%lld.%lld.%lld", (long long)v.major,
			 (long long)v.minor, (long long)v.patch + 1);
	return 0;
}

static int
run_script(const char *script, const char *version, const char *kernels,
	   struct dv_err *e)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return dv_errno(e, "cannot run '%s'", script);
	if (pid == 0) {
		execl(script, script, version, kernels, (char *)NULL);
		fprintf(stderr, "diver: cannot run '%s': %s\n", script, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return dv_errno(e, "cannot wait for '%s'", script);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return dv_errf(e, "'%s %s %s' failed (%s %d); nothing was published",
			       script, version, kernels,
			       WIFEXITED(status) ? "exit status" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

/* What catalog-gen will check of the new release. */
static int
check_release(const char *rel, const char *name, const char *version,
	      struct kernel *k, struct dv_err *e)
{
	char *json = fs_join(rel, "kernel.json"), *readme = fs_join(rel, "README.md");
	int rc = kernel_load(json, k, e);

	if (rc == 0 && (strcmp(k->name, name) || strcmp(k->version, version)))
		rc = dv_errf(e, "%s names %s %s, not %s %s", json, k->name,
			     k->version, name, version);
	if (rc == 0 && !fs_is_file(readme))
		rc = dv_errf(e, "%s is missing", readme);
	for (size_t i = 0; rc == 0 && i < k->nvariants; i++) {
		const struct kernel_variant *v = &k->variants[i];
		char *img = fs_join(rel, v->image.path), hex[SHA256_HEX];
		uint64_t size;
		if (sha256_file_hex(img, hex, &size, e) < 0)
			rc = -1;
		else if (strcmp(hex, v->image.sha256) || size != v->image.size)
			rc = dv_errf(e, "%s: variant '%s': the image's sha256 or size "
				     "differs from kernel.json", json, v->name);
		free(img);
	}
	free(json);
	free(readme);
	return rc;
}

int
cmd_publish(int argc, char **argv)
{
	const char *to = NULL, *version = NULL, *part = NULL, *dir = ".";
	char real[PATH_MAX], bumped[64], *name, *script, *kdir, *rel = NULL;
	struct dv_err e = { "" };
	struct kernel k = { 0 };
	struct semver sv;
	char *arg;
	int c, rc = 1;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case OPT_TO: to = arg; break;
		case OPT_VERSION: version = arg; break;
		case OPT_BUMP: part = arg; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver publish", "bad option");
		}
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc || !to || !version == !part)
		return cli_usage_error("diver publish", "expected [DIR], --to KERNELS_DIR "
				       "and one of --version V or --bump PART");
	if (part && strcmp(part, "patch") && strcmp(part, "minor") && strcmp(part, "major"))
		return cli_usage_error("diver publish", "--bump '%s': expected patch, "
				       "minor or major", part);
	if (version && semver_parse(version, &sv) < 0)
		return failf("version '%s': expected a semantic version like 1.2.0", version);
	if (!realpath(dir, real))
		return failf("kernel sources '%s': %s", dir, strerror(errno));
	if (!fs_is_dir(to))
		return failf("kernels directory '%s' does not exist", to);
	name = xstrdup(strrchr(real, '/') + 1);
	script = fs_join(real, "publish.sh");
	kdir = fs_join(to, name);
	if (!name_valid(name)) {
		failf("'%s': a kernel's directory must be named like the kernel "
		      "(lowercase letters, digits, '-')", real);
		goto out;
	}
	if (access(script, X_OK) < 0) {
		failf("'%s' is not an executable publisher script (see "
		      "docs/kernel-interface.md)", script);
		goto out;
	}
	if (part && bump(kdir, part, bumped, &e) < 0) {
		fail(e.msg);
		goto out;
	}
	if (part)
		version = bumped;
	rel = fs_join(kdir, version);
	if (fs_exists(rel)) {
		failf("%s %s is published already (%s): releases are immutable; "
		      "publish another version", name, version, rel);
		goto out;
	}
	if (run_script(script, version, to, &e) < 0) {
		fail(e.msg);
		goto out;
	}
	if (!fs_is_dir(rel)) {
		failf("'%s' finished but wrote no %s", script, rel);
		goto out;
	}
	if (check_release(rel, name, version, &k, &e) < 0) {
		fs_rm_rf(rel, NULL);
		failf("%s; the release was removed", e.msg);
		goto out;
	}
	printf("published %s %s in %s (%zu variant%s)\n"
	       "next: commit it, then catalog-gen -k KEY -o SITE %s\n", name, version,
	       rel, k.nvariants, k.nvariants == 1 ? "" : "s", to);
	rc = 0;
out:
	kernel_release(&k);
	free(name);
	free(script);
	free(kdir);
	free(rel);
	return rc;
}
