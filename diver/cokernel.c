/*
 * cokernel.c — the journaled steps, the held signals and the console of
 * the co-kernel backends.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "cokernel.h"
#include "fs.h"
#include "host.h"
#include "pump.h"
#include "relay.h"
#include "tool.h"

static void
hold_signals(struct vm *vm)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &vm->oldmask);
	vm->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Read what came in; true when a signal asks the dive to end. */
static bool
signalled(struct vm *vm)
{
	struct signalfd_siginfo si;

	while (vm->sigfd >= 0 && read(vm->sigfd, &si, sizeof si) == sizeof si)
		if (si.ssi_signo != SIGCHLD && !vm->signo)
			vm->signo = (int)si.ssi_signo;
	return vm->signo != 0;
}

struct vm *
cokernel_begin(const struct home *h, const struct net *n,
	       const struct dive_opts *o, const char *backend, struct dv_err *e)
{
	const char *app = jv_str(jv_get(jv_get(n->json, "app"), "name"));
	const char *console = jv_str(jv_get(jv_get(n->json, "interface"), "console"));
	struct vm *vm;

	/* the steps change the host: there is no harmless rehearsal */
	if (o->dry_run) {
		dv_errf(e, "--dry-run: not with --via %s (docs/hw-mode.md lists the "
			"commands it runs)", backend);
		return NULL;
	}
	if (o->gdb_port) {
		dv_errf(e, "--gdb: not with --via %s; use --via qemu", backend);
		return NULL;
	}
	vm = xcalloc(1, sizeof *vm);
	vm->sigfd = vm->to_guest = vm->from_guest = -1;
	vm->console_pid = -1;
	vm->image = fs_join(n->dir, "image");
	vm->cmdline = boot_cmdline(n, o);
	vm->app = app ? app : "app";
	vm->timeout = o->timeout;
	vm->log_path = o->log_path;
	vm->pass_stdin = true;
	console_init(&vm->con, !console || !strcmp(console, "framed-uart-1"));
	hold_signals(vm);
	vm->workdir = xasprintf("%s/hw-XXXXXX", h->cache);
	if (fs_mkdir_p(h->cache, 0755, e) < 0 || !mkdtemp(vm->workdir)) {
		if (!e->msg[0])
			dv_errno(e, "cannot make a work directory in '%s'", h->cache);
		free(vm->workdir);
		vm->workdir = NULL;
		cokernel_stop(vm);
		return NULL;
	}
	vm->j = journal_open(h, backend, n->id, vm->workdir, e);
	if (!vm->j) {
		fs_rm_rf(vm->workdir, e);
		cokernel_stop(vm);
		return NULL;
	}
	return vm;
}

int
cokernel_step(struct vm *vm, const char *what, const struct undo *u,
	      char *const argv[], struct strbuf *out, struct dv_err *e)
{
	if (signalled(vm))
		return dv_errf(e, "interrupted by %s before '%s'", strsignal(vm->signo),
			       what);
	if (u && journal_step(vm->j, what, u, e) < 0)
		return -1;
	if (tool_run(argv, vm->workdir, out, e) < 0)
		return -1;
	return u ? journal_done(vm->j, e) : 0;
}

int
cokernel_write(struct vm *vm, const char *what, const char *path,
	       const char *value, const char *undo_value, struct dv_err *e)
{
	struct undo u = { .path = path, .value = undo_value };

	if (signalled(vm))
		return dv_errf(e, "interrupted by %s before '%s'", strsignal(vm->signo),
			       what);
	if (journal_step(vm->j, what, &u, e) < 0 || host_write_attr(path, value, e) < 0)
		return -1;
	return journal_done(vm->j, e);
}

int
cokernel_offline_cpus(struct vm *vm, const struct cpulist *cpus, struct dv_err *e)
{
	for (size_t i = 0; i < cpus->n; i++) {
		char *path = xasprintf("/sys/devices/system/cpu/cpu%d/online", cpus->cpu[i]);
		char *what = xasprintf("take cpu%d from Linux", cpus->cpu[i]);
		int rc = cokernel_write(vm, what, path, "0", "1", e);
		free(what);
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
cokernel_online_cpus(struct cpulist *l, struct dv_err *e)
{
	char buf[64];

	l->cpu = NULL;
	l->n = 0;
	if (host_read_attr("/sys/devices/system/cpu/online", buf, sizeof buf, e) < 0)
		return -1;
	if (cpulist_parse(buf, l, e) < 0)
		return dv_err_prefix(e, "/sys/devices/system/cpu/online");
	/* the summary can be stale on a simulated host: trust each cpu */
	for (size_t i = 0; i < l->n; i++) {
		char *p = xasprintf("/sys/devices/system/cpu/cpu%d/online", l->cpu[i]);
		struct dv_err ignored;
		if (host_read_attr(p, buf, sizeof buf, &ignored) == 0 && strcmp(buf, "1")) {
			memmove(&l->cpu[i], &l->cpu[i + 1], (l->n - i - 1) * sizeof *l->cpu);
			l->n--;
			i--;
		}
		free(p);
	}
	return 0;
}

static void
release_vm(struct vm *vm)
{
	if (vm->console_pid > 0) {
		kill(-vm->console_pid, SIGKILL);
		waitpid(vm->console_pid, NULL, 0);
	}
	if (vm->to_guest >= 0)
		close(vm->to_guest);
	if (vm->from_guest >= 0)
		close(vm->from_guest);
	if (vm->sigfd >= 0)
		close(vm->sigfd);
	sigprocmask(SIG_SETMASK, &vm->oldmask, NULL);
	console_release(&vm->con);
	for (char **a = vm->log_argv; a && *a; a++)
		free(*a);
	free(vm->log_argv);
	free(vm->workdir);
	free(vm->image);
	free(vm->cmdline);
	free(vm->priv);
	free(vm);
}

void
cokernel_abort(struct vm *vm, struct dv_err *e)
{
	struct dv_err u = { "" }, first = *e;

	if (vm->console_pid > 0) {
		kill(-vm->console_pid, SIGKILL);
		waitpid(vm->console_pid, NULL, 0);
		vm->console_pid = -1;
	}
	if (journal_unwind(vm->j, &u) < 0)
		dv_errf(e, "%s; and then %s", first.msg, u.msg);
	else
		dv_errf(e, "%s; everything diver took was given back", first.msg);
	journal_free(vm->j);
	vm->j = NULL;
	release_vm(vm);
}

void
cokernel_stop(struct vm *vm)
{
	struct dv_err e = { "" };

	if (!vm)
		return;
	if (vm->console_pid > 0) {
		kill(-vm->console_pid, SIGKILL);
		waitpid(vm->console_pid, NULL, 0);
		vm->console_pid = -1;
	}
	if (vm->j && journal_unwind(vm->j, &e) < 0)
		fprintf(stderr, "diver: %s\n", e.msg);
	journal_free(vm->j);
	release_vm(vm);
}

int
cokernel_attach(struct vm *vm, char *const argv[], struct dv_err *e)
{
	int in[2], out[2], log = -1;
	char *cmd;

	if (signalled(vm))
		return dv_errf(e, "interrupted by %s", strsignal(vm->signo));
	if (vm->log_path && (log = open(vm->log_path, O_WRONLY | O_CREAT | O_APPEND |
					O_CLOEXEC, 0644)) < 0)
		return dv_errno(e, "--log '%s'", vm->log_path);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		if (log >= 0)
			close(log);
		return dv_errno(e, "cannot make a pipe");
	}
	vm->console_pid = fork();
	if (vm->console_pid == 0) {
		/* its own process group, so that stopping it stops its helpers */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigprocmask(SIG_SETMASK, &vm->oldmask, NULL);
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		if (log >= 0)
			dup2(log, STDERR_FILENO);
		if (vm->workdir && chdir(vm->workdir) < 0)
			_exit(126);
		execvp(argv[0], argv);
		fprintf(stderr, "diver: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (log >= 0)
		close(log);
	vm->to_guest = in[1];
	vm->from_guest = out[0];
	if (vm->console_pid < 0) {
		cmd = tool_command_line(argv);
		dv_errno(e, "cannot run '%s'", cmd);
		free(cmd);
		return -1;
	}
	setpgid(vm->console_pid, vm->console_pid);
	fcntl(vm->to_guest, F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	if (!vm->pass_stdin) {
		close(vm->to_guest);
		vm->to_guest = -1;
	}
	return 0;
}

/* e's message, kept in saved so that e can be written from it. */
static const char *
first_error(const struct dv_err *e, struct dv_err *saved)
{
	*saved = *e;
	return saved->msg;
}

/*
 * The console tool ended: stop what it left in its process group now,
 * while that group id is still surely its own.
 */
static void
reap(struct pump *p)
{
	struct vm *vm = p->ctx;
	int st;

	if (vm->console_pid > 0 &&
	    waitpid(vm->console_pid, &st, WNOHANG) == vm->console_pid) {
		kill(-vm->console_pid, SIGKILL);
		vm->console_pid = -1;
		p->guest_gone = true;
	}
}

/* a signal ends the loop (cokernel_wait), which then stops the tool */
static const struct pump_hooks cokernel_hooks = { .child = reap };

/*
 * After the exit frame: give the console tool a second to end by itself,
 * so that what it still writes (the rest of the kernel log) is not cut.
 * Some never end (jailhouse console -f) and are stopped after that.
 */
static void
linger(struct pump *p)
{
	struct vm *vm = p->ctx;
	double until = relay_now() + 1.0;

	while (!p->guest_gone && relay_now() < until) {
		struct pollfd fds[2] = { { vm->sigfd, POLLIN, 0 },
					 { vm->from_guest, POLLIN, 0 } };
		if (poll(fds, 2, (int)((until - relay_now()) * 1000) + 1) <= 0)
			continue;
		if (fds[0].revents)
			pump_signal(p);
		if (fds[1].revents && read(vm->from_guest, p->buf, PUMP_CHUNK) <= 0) {
			close(vm->from_guest);
			vm->from_guest = -1;
		}
	}
}

/* The app's status, or why there is none. */
static int
console_status(struct pump *p, int *status, struct dv_err *e)
{
	int rc;

	if (p->con->have_status) {
		*status = p->con->status;
		linger(p);
		return 0;
	}
	rc = pump_exit_status(p, "the co-kernel was stopped", status, e);
	if (rc != 1)
		return rc;
	*status = 1;
	return dv_errf(e, "the console ended without the app's exit status "
		       "(the kernel may have crashed; its log is above)");
}

/* The kernel log the system keeps (ihkosctl kmsg), to stderr or --log. */
static int
print_log(struct vm *vm, struct dv_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int fd = STDERR_FILENO;

	if (!vm->log_argv)
		return 0;
	if (tool_run(vm->log_argv, vm->workdir, &sb, e) < 0) {
		strbuf_release(&sb);
		return dv_err_prefix(e, "cannot read the kernel log");
	}
	if (vm->log_path)
		fd = open(vm->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0)
		fs_write_all(fd, sb.buf, sb.len);
	if (fd >= 0 && fd != STDERR_FILENO)
		close(fd);
	strbuf_release(&sb);
	return 0;
}

int
cokernel_wait(struct vm *vm, int *status, struct dv_err *e)
{
	struct pump p = {
		.hooks = &cokernel_hooks, .ctx = vm, .con = &vm->con, .sigfd = vm->sigfd,
		.from_guest = &vm->from_guest, .to_guest = &vm->to_guest,
		.stdin_open = true, .timeout = vm->timeout, .signo = vm->signo,
	};
	struct dv_err u = { "" }, saved;
	int rc;

	pump_start(&p);
	/* the exit frame ends the run: some consoles (jailhouse console -f)
	 * never end by themselves */
	while (!vm->con.have_status && !p.signo && !p.timed_out &&
	       (vm->from_guest >= 0 || !p.guest_gone))
		pump_once(&p);
	rc = console_status(&p, status, e);
	vm->signo = p.signo;
	pump_release(&p);
	if (vm->console_pid > 0) {
		kill(-vm->console_pid, SIGKILL);
		waitpid(vm->console_pid, NULL, 0);
		vm->console_pid = -1;
	}
	/* the kernel log, then everything given back: either failing fails
	 * the dive, whatever the app's status */
	if (rc == 0 && print_log(vm, e) < 0) {
		*status = 1;
		rc = -1;
	}
	if (journal_unwind(vm->j, rc < 0 ? &u : e) < 0) {
		if (rc < 0)
			dv_errf(e, "%s; and then %s", first_error(e, &saved), u.msg);
		*status = 1;
		rc = -1;
	}
	journal_free(vm->j);
	vm->j = NULL;
	return rc;
}

int
cokernel_need_tools(const char *system, const char *const *tools,
		    const char *fix, struct dv_err *e)
{
	for (const char *const *t = tools; *t; t++) {
		char *p = host_which(*t);
		free(p);
		if (!p)
			return dv_errf(e, "%s: '%s' is not in PATH; %s", system, *t, fix);
	}
	return 0;
}

int
cokernel_need_path(const char *system, const char *path, const char *fix,
		   struct dv_err *e)
{
	char *p;

	if (host_exists(path))
		return 0;
	p = host_path(path);
	dv_errf(e, "%s: no %s on this host; %s", system, p, fix);
	free(p);
	return -1;
}
