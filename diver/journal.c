/*
 * journal.c — undo entries appended and fsync'd before each step, run in
 * reverse on failure, on a signal, at the end of a dive, or by diver
 * recover after a kill -9.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "host.h"
#include "journal.h"
#include "strbuf.h"
#include "timefmt.h"
#include "tool.h"

struct journal {
	char *path;
	int fd;
	jv *header;
	jv *steps;              /* [{what, undo, done, undone}] */
};

static char *
journal_dir(const struct home *h)
{
	return fs_join(h->data, "journal");
}

static int
append(struct journal *j, jv *line, struct dv_err *e)
{
	char *text = jv_dump(line, 0);
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	strbuf_addstr(&sb, text);
	strbuf_addch(&sb, '\n');
	if (fs_write_all(j->fd, sb.buf, sb.len) < 0 || fsync(j->fd) < 0)
		rc = dv_errno(e, "cannot write the undo journal '%s'", j->path);
	strbuf_release(&sb);
	free(text);
	jv_free(line);
	return rc;
}

static struct journal *
journal_new(char *path, int fd)
{
	struct journal *j = xcalloc(1, sizeof *j);

	j->path = path;
	j->fd = fd;
	j->steps = jv_array();
	return j;
}

struct journal *
journal_open(const struct home *h, const char *backend, const char *net,
	     const char *workdir, struct dv_err *e)
{
	char *dir = journal_dir(h), *path, stamp[64 + RFC3339_LEN];
	const char *root = getenv("DIVER_SYSROOT");
	struct journal *j;
	time_t now = time(NULL);
	jv *hd;
	int fd;

	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime(&now));
	path = xasprintf("%s/%s-%ld.jsonl", dir, stamp, (long)getpid());
	if (fs_mkdir_p(dir, 0700, e) < 0) {
		free(dir);
		free(path);
		return NULL;
	}
	free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		dv_errno(e, "cannot create the undo journal '%s'", path);
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	j = journal_new(path, fd);
	hd = jv_object();
	jv_set(hd, "journal", jv_integer(1));
	jv_set(hd, "backend", jv_string(backend));
	jv_set(hd, "net", jv_string(net));
	jv_set(hd, "pid", jv_integer(getpid()));
	if (root && *root)
		jv_set(hd, "sysroot", jv_string(root));
	if (workdir)
		jv_set(hd, "workdir", jv_string(workdir));
	rfc3339_format(now, stamp);
	jv_set(hd, "started", jv_string(stamp));
	j->header = jv_deep_copy(hd);
	if (append(j, hd, e) < 0) {
		unlink(path);
		journal_free(j);
		return NULL;
	}
	fs_sync_parent(path);
	return j;
}

static jv *
undo_json(const struct undo *u)
{
	jv *o = jv_object();

	if (u->argv) {
		jv *a = jv_array();
		for (char *const *p = u->argv; *p; p++) {
			/* the same binary as the step, whatever PATH recover has */
			char *full = p == u->argv && !strchr(*p, '/') ? host_which(*p) : NULL;
			jv_push(a, jv_string(full ? full : *p));
			free(full);
		}
		jv_set(o, "run", a);
		if (u->cwd)
			jv_set(o, "cwd", jv_string(u->cwd));
		if (u->retries)
			jv_set(o, "retries", jv_integer(u->retries));
	} else {
		jv_set(o, "write", jv_string(u->path));
		jv_set(o, "value", jv_string(u->value));
	}
	return o;
}

int
journal_step(struct journal *j, const char *what, const struct undo *u,
	     struct dv_err *e)
{
	jv *line = jv_object(), *step = jv_object();
	jv *undo = undo_json(u);

	jv_set(line, "step", jv_integer((long long)jv_len(j->steps) + 1));
	jv_set(line, "what", jv_string(what));
	jv_set(line, "undo", jv_deep_copy(undo));
	jv_set(step, "what", jv_string(what));
	jv_set(step, "undo", undo);
	jv_push(j->steps, step);
	return append(j, line, e);
}

static int
mark(struct journal *j, const char *key, size_t i, struct dv_err *e)
{
	jv *line = jv_object();

	jv_set(jv_at(j->steps, i), key, jv_boolean(true));
	jv_set(line, key, jv_integer((long long)i + 1));
	return append(j, line, e);
}

int
journal_done(struct journal *j, struct dv_err *e)
{
	if (!jv_len(j->steps))
		return 0;
	return mark(j, "done", jv_len(j->steps) - 1, e);
}

static int
run_undo(const jv *u, struct dv_err *e)
{
	const jv *run = jv_get(u, "run");
	size_t n = jv_len(run);
	int tries, rc = -1;
	char **argv;

	if (!run)
		return host_write_attr(jv_str(jv_get(u, "write")) ? jv_str(jv_get(u, "write")) : "",
				       jv_str(jv_get(u, "value")) ? jv_str(jv_get(u, "value")) : "", e);
	argv = xcalloc(n + 1, sizeof *argv);
	for (size_t i = 0; i < n; i++)
		argv[i] = (char *)(jv_str(jv_at(run, i)) ? jv_str(jv_at(run, i)) : "");
	tries = jv_is_int(jv_get(u, "retries")) ? (int)jv_int(jv_get(u, "retries")) : 0;
	for (int t = 0; t <= tries && t < 20 && rc < 0; t++) {
		if (t) {
			struct timespec ts = { 0, 200 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		rc = n ? tool_run(argv, jv_str(jv_get(u, "cwd")), NULL, e)
		       : dv_errf(e, "an empty undo command");
	}
	free(argv);
	return rc;
}

static int
unwind_steps(struct journal *j, size_t *undone, struct dv_err *e)
{
	struct dv_err first = { "" }, err;
	int rc = 0, ran;

	for (size_t i = jv_len(j->steps); i-- > 0;) {
		jv *s = jv_at(j->steps, i);
		bool done = jv_bool(jv_get(s, "done"));
		if (jv_bool(jv_get(s, "undone")))
			continue;
		err.msg[0] = '\0';
		ran = run_undo(jv_get(s, "undo"), &err);
		if (ran < 0 && done) {
			/* what is left may depend on it: stop, keep the rest */
			dv_errf(&first, "could not undo '%s': %s", jv_str(jv_get(s, "what")),
				err.msg);
			rc = -1;
			break;
		}
		*undone += ran == 0;
		if (mark(j, "undone", i, &err) < 0) {
			first = err;
			rc = -1;
			break;
		}
	}
	if (rc) {
		dv_errf(e, "%s; the journal '%s' keeps what is left: fix it and run "
			"diver recover", first.msg, j->path);
		return -1;
	}
	if (jv_str(jv_get(j->header, "workdir")))
		fs_rm_rf(jv_str(jv_get(j->header, "workdir")), &err);
	if (unlink(j->path) < 0)
		return dv_errno(e, "cannot remove the undo journal '%s'", j->path);
	fs_sync_parent(j->path);
	return 0;
}

int
journal_unwind(struct journal *j, struct dv_err *e)
{
	size_t undone = 0;

	return unwind_steps(j, &undone, e);
}

void
journal_free(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	jv_free(j->header);
	jv_free(j->steps);
	free(j->path);
	free(j);
}

/* Rebuild the steps from the lines; a torn last line is ignored. */
static int
journal_parse(struct journal *j, const char *text, struct dv_err *e)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		jv *line;
		if (!nl)
			break;
		line = jv_parse(p, (size_t)(nl - p), j->path, NULL);
		p = nl + 1;
		if (!line)
			return dv_errf(e, "undo journal '%s': a line is not JSON; "
				       "undo its steps by hand and remove it", j->path);
		if (jv_get(line, "journal") && !j->header)
			j->header = jv_ref(line);
		else if (jv_get(line, "undo")) {
			jv *s = jv_object();
			jv_set(s, "what", jv_string(jv_str(jv_get(line, "what")) ?
						    jv_str(jv_get(line, "what")) : "a step"));
			jv_set(s, "undo", jv_ref(jv_get(line, "undo")));
			jv_push(j->steps, s);
		} else {
			const char *key = jv_get(line, "done") ? "done" : "undone";
			long long i = jv_int(jv_get(line, key));
			if (i >= 1 && (size_t)i <= jv_len(j->steps))
				jv_set(jv_at(j->steps, (size_t)i - 1), key, jv_boolean(true));
		}
		jv_free(line);
	}
	if (!j->header)
		return dv_errf(e, "undo journal '%s' has no header line", j->path);
	return 0;
}

/* Unwind one leftover journal, in the host (sysroot) it was written for. */
static void
recover_one(struct journal_report *r, bool list_only)
{
	struct strbuf sb = STRBUF_INIT;
	struct dv_err e = { "" };
	struct journal *j;
	char *saved = getenv("DIVER_SYSROOT") ? xstrdup(getenv("DIVER_SYSROOT")) : NULL;
	int fd = open(r->path, O_RDWR | O_APPEND | O_CLOEXEC);

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r->busy = fd >= 0 && errno == EWOULDBLOCK;
		if (!r->busy)
			snprintf(r->error, sizeof r->error, "cannot open '%s': %s",
				 r->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(saved);
		return;
	}
	j = journal_new(xstrdup(r->path), fd);
	if (fs_read_file(r->path, 16 << 20, &sb, &e) == 0 && journal_parse(j, sb.buf, &e) == 0) {
		const char *root = jv_str(jv_get(j->header, "sysroot"));
		r->backend = xstrdup(jv_str(jv_get(j->header, "backend")) ?
				     jv_str(jv_get(j->header, "backend")) : "?");
		r->pid = (long)jv_int(jv_get(j->header, "pid"));
		if (root)
			setenv("DIVER_SYSROOT", root, 1);
		else
			unsetenv("DIVER_SYSROOT");
		if (!list_only)
			unwind_steps(j, &r->undone, &e);
	}
	snprintf(r->error, sizeof r->error, "%s", e.msg);
	if (saved)
		setenv("DIVER_SYSROOT", saved, 1);
	else
		unsetenv("DIVER_SYSROOT");
	free(saved);
	strbuf_release(&sb);
	journal_free(j);
}

int
journal_recover(const struct home *h, bool list_only,
		struct journal_report **reports, size_t *n, struct dv_err *e)
{
	char *dir = journal_dir(h), **names = NULL;
	size_t count = 0;

	*reports = NULL;
	*n = 0;
	if (fs_is_dir(dir) && fs_list_dir(dir, &names, &count, e) < 0) {
		free(dir);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		struct journal_report *r;
		size_t len = strlen(names[i]);
		if (len < 7 || strcmp(names[i] + len - 6, ".jsonl"))
			continue;
		*reports = xrealloc(*reports, (*n + 1) * sizeof **reports);
		r = &(*reports)[(*n)++];
		memset(r, 0, sizeof *r);
		r->path = fs_join(dir, names[i]);
		recover_one(r, list_only);
	}
	fs_names_free(names);
	free(dir);
	return 0;
}

void
journal_reports_free(struct journal_report *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].path);
		free(r[i].backend);
	}
	free(r);
}
