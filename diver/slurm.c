#include "slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "strbuf.h"

/* Slurm refuses batch scripts over 4 MB by default; base64 grows by 4/3. */
#define EMBED_MAX (2u << 20)

/* Append s as one single-quoted shell word. */
static void
shell_word(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

static void
directives(struct strbuf *sb, const struct net *n, const struct slurm_opts *so)
{
	strbuf_addf(sb, "#SBATCH --job-name=diver-%s\n", n->id);
	if (so->nodes)
		strbuf_addf(sb, "#SBATCH --nodes=%d\n", so->nodes);
	if (so->tasks)
		strbuf_addf(sb, "#SBATCH --ntasks=%d\n", so->tasks);
	if (so->partition)
		strbuf_addf(sb, "#SBATCH --partition=%s\n", so->partition);
	if (so->time)
		strbuf_addf(sb, "#SBATCH --time=%s\n", so->time);
}

static const char base64_digits[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64_lines(struct strbuf *sb, const unsigned char *p, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		strbuf_addch(sb, base64_digits[v >> 18 & 63]);
		strbuf_addch(sb, base64_digits[v >> 12 & 63]);
		strbuf_addch(sb, i + 1 < n ? base64_digits[v >> 6 & 63] : '=');
		strbuf_addch(sb, i + 2 < n ? base64_digits[v & 63] : '=');
		if ((col += 4) >= 76) {
			strbuf_addch(sb, '\n');
			col = 0;
		}
	}
	if (col)
		strbuf_addch(sb, '\n');
}

/* The net's files, inside the script: base64 here-documents into $src. */
static int
embed_files(struct strbuf *sb, const struct net *n, char **names,
	    struct dv_err *e)
{
	struct strbuf data = STRBUF_INIT;
	size_t total = 0;

	strbuf_addstr(sb, "src=$(mktemp -d \"${TMPDIR:-/tmp}/diver-src.XXXXXX\") || exit 1\n"
		      "cleanup_src=yes\n");
	for (char **f = names; *f; f++) {
		char *path = fs_join(n->dir, *f);
		strbuf_reset(&data);
		int rc = fs_read_file(path, EMBED_MAX, &data, e);
		free(path);
		if (rc < 0 || (total += data.len) > EMBED_MAX) {
			strbuf_release(&data);
			return dv_errf(e, "net %s is too large to travel inside the job "
				       "script; give a shared --stage-dir", n->id);
		}
		strbuf_addf(sb, "base64 -d >\"$src/%s\" <<'DIVER_END_OF_FILE'\n", *f);
		base64_lines(sb, (const unsigned char *)data.buf, data.len);
		strbuf_addstr(sb, "DIVER_END_OF_FILE\n");
	}
	strbuf_release(&data);
	return 0;
}

/* The net's files, through a directory every node can read. */
static int
stage_files(struct strbuf *sb, const struct net *n, const char *stage,
	    struct dv_err *e)
{
	char *dir = xasprintf("%s/diver-net-%s", stage, n->id), *staging;
	int rc = 0;

	if (!fs_is_dir(dir)) {
		if (fs_mkdir_p(stage, 0755, e) < 0 || fs_staging_dir(dir, &staging, e) < 0) {
			free(dir);
			return -1;
		}
		rc = fs_copy_tree(n->dir, staging, e);
		if (rc == 0)
			rc = fs_replace_dir(staging, dir, e);
		fs_rm_rf(staging, NULL);
		free(staging);
	}
	strbuf_addstr(sb, "src=");
	shell_word(sb, dir);
	strbuf_addstr(sb, "\ncleanup_src=\n");
	free(dir);
	return rc;
}

static void
node_command(struct strbuf *sb, const struct dive_opts *o, const struct slurm_opts *so,
	     const char *diver)
{
	bool label = so->tasks > 1 || so->nodes > 1;

	strbuf_addf(sb, "srun%s", label ? " --label" : "");
	if (so->srun_args) {
		strbuf_addch(sb, ' ');
		strbuf_addstr(sb, so->srun_args);       /* words, as the user wrote them */
	}
	strbuf_addstr(sb, " env DIVER_HOME=\"$dst/home\" ");
	shell_word(sb, diver);
	strbuf_addstr(sb, " dive \"$dst\" --accel ");
	shell_word(sb, o->accel ? o->accel : "auto");
	strbuf_addf(sb, " -c %d -m %ldM", o->cpus, o->mem_mib);
	if (o->timeout > 0)
		strbuf_addf(sb, " --timeout %g", o->timeout);
	strbuf_addstr(sb, " --");
	for (int i = 0; i < o->nargs; i++) {
		strbuf_addch(sb, ' ');
		shell_word(sb, o->args[i]);
	}
	strbuf_addstr(sb, "\n");
}

static char *
this_diver(const struct slurm_opts *so)
{
	char buf[PATH_MAX];
	ssize_t n;

	if (so->node_diver)
		return xstrdup(so->node_diver);
	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return xstrdup("diver");
	buf[n] = '\0';
	return xstrdup(buf);
}

char *
slurm_script(const struct home *h, const struct net *n, const struct dive_opts *o,
	     const struct slurm_opts *so, struct dv_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	char **names, *diver = this_diver(so);
	const char *kernel = jv_str(jv_get(jv_get(n->json, "kernel"), "name"));
	int rc;

	(void)h;
	if (fs_list_dir(n->dir, &names, NULL, e) < 0) {
		free(diver);
		return NULL;
	}
	strbuf_addstr(&sb, "#!/bin/sh\n");
	directives(&sb, n, so);
	strbuf_addf(&sb, "# Written by diver: runs net %s (kernel %s) on the allocated "
		    "nodes.\n# The net is copied to node-local storage with sbcast, "
		    "run with srun and removed.\nset -u\n"
		    ": \"${SLURM_JOB_ID:?run this under salloc or sbatch}\"\n"
		    "dst=\"${DIVER_NODE_TMP:-/tmp}/diver-net-$SLURM_JOB_ID\"\n",
		    n->id, kernel ? kernel : "?");
	rc = so->stage_dir ? stage_files(&sb, n, so->stage_dir, e)
			   : embed_files(&sb, n, names, e);
	strbuf_addstr(&sb, "each_node() { srun --ntasks-per-node=1 "
		      "--ntasks=\"${SLURM_JOB_NUM_NODES:-1}\" \"$@\"; }\n"
		      "trap 'each_node rm -rf \"$dst\" >/dev/null 2>&1; "
		      "[ -n \"$cleanup_src\" ] && rm -rf \"$src\"' EXIT\n"
		      "each_node mkdir -p \"$dst\" || exit 1\n");
	for (char **f = names; *f; f++)
		strbuf_addf(&sb, "sbcast --force \"$src/%s\" \"$dst/%s\" || exit 1\n", *f, *f);
	node_command(&sb, o, so, diver);
	strbuf_addstr(&sb, "exit $?\n");
	fs_names_free(names);
	free(diver);
	if (rc < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static char *
write_script(const char *text, struct dv_err *e)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = xasprintf("%s/diver-job-XXXXXX.sh", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemps(path, 3);

	if (fd < 0 || fs_write_all(fd, text, strlen(text)) < 0 || close(fd) < 0) {
		dv_errno(e, "cannot write the job script '%s'", path);
		if (fd >= 0)
			unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

/* Run argv (stdout to out_fd when >= 0) and return its exit status, or -1. */
static int
run(char **argv, int out_fd, struct dv_err *e)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (out_fd >= 0)
			dup2(out_fd, STDOUT_FILENO);
		execvp(argv[0], argv);
		/* the parent says it when the program is missing */
		if (errno != ENOENT)
			fprintf(stderr, "diver: cannot run %s: %s\n", argv[0],
				strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		return dv_errno(e, "cannot start %s", argv[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return dv_errno(e, "waiting for %s", argv[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return dv_errf(e, "'%s' is not installed here; run this on a Slurm "
			       "login node (or load the site's Slurm module)", argv[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct args {
	char *v[32];
	int n;
};

static void
add(struct args *a, char *s)
{
	if (a->n < 30)
		a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* salloc/sbatch options for the allocation (strings owned by owned[]). */
static void
allocation(struct args *a, const struct net *n, const struct slurm_opts *so,
	   char owned[4][64])
{
	snprintf(owned[0], 64, "--job-name=diver-%s", n->id);
	add(a, owned[0]);
	if (so->nodes) {
		snprintf(owned[1], 64, "--nodes=%d", so->nodes);
		add(a, owned[1]);
	}
	if (so->tasks) {
		snprintf(owned[2], 64, "--ntasks=%d", so->tasks);
		add(a, owned[2]);
	}
	if (so->partition) {
		add(a, "--partition");
		add(a, (char *)so->partition);
	}
	if (so->time) {
		add(a, "--time");
		add(a, (char *)so->time);
	}
}

int
slurm_run(const struct home *h, const struct net *n, const struct dive_opts *o,
	  const struct slurm_opts *so, int *status, struct dv_err *e)
{
	char *text = slurm_script(h, n, o, so, e), *path, owned[4][64];
	struct args a = { .n = 0 };
	int rc;

	if (!text)
		return -1;
	path = write_script(text, e);
	free(text);
	if (!path)
		return -1;
	add(&a, "salloc");
	add(&a, "--quiet");
	allocation(&a, n, so, owned);
	add(&a, "sh");
	add(&a, path);
	rc = run(a.v, -1, e);
	unlink(path);
	free(path);
	if (rc < 0)
		return -1;
	*status = rc;
	return 0;
}

int
slurm_submit(const struct home *h, const struct net *n, const struct dive_opts *o,
	     const struct slurm_opts *so, char jobid[32], int *status,
	     struct dv_err *e)
{
	char *text = slurm_script(h, n, o, so, e), *path, *out = NULL, owned[4][64];
	char *idfile = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct args a = { .n = 0 };
	int rc = -1, fd = -1;

	if (!text)
		return -1;
	path = write_script(text, e);
	free(text);
	if (!path)
		return -1;
	add(&a, "sbatch");
	add(&a, "--parsable");
	allocation(&a, n, so, owned);
	out = xasprintf("--output=%s", so->output ? so->output : "diver-%x-%j.out");
	add(&a, out);
	if (so->wait)
		add(&a, "--wait");
	add(&a, path);
	idfile = xasprintf("%s.id", path);
	fd = open(idfile, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		dv_errno(e, "cannot create '%s'", idfile);
		goto out;
	}
	*status = run(a.v, fd, e);
	if (*status < 0 || fs_read_file(idfile, 4096, &sb, e) < 0)
		goto out;
	snprintf(jobid, 32, "%.*s", (int)strcspn(sb.buf, ";\n"), sb.buf);
	if (!jobid[0]) {
		dv_errf(e, "sbatch did not submit the job (exit status %d)", *status);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (idfile)
		unlink(idfile);
	unlink(path);
	strbuf_release(&sb);
	free(idfile);
	free(out);
	free(path);
	return rc;
}
