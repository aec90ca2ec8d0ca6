/*
 * backend_qemu.c — vm mode on QEMU.  diver sits between the terminal and
 * the VM: QEMU's stdin and stdout are pipes to diver carrying COM1 (the
 * framed console), COM2 goes straight to stderr or the --log file, and the
 * exit status comes from the console's exit frame (or isa-debug-exit).
 * For a kernel that declares the shared-memory channel, stdin and stdout
 * take the fast path instead: the guest's RAM is a file diver maps too,
 * and chan.c's thread moves the bytes (docs/kernel-interface.md §2a).
 * A Linux kernel (a bzImage) boots on pc with its initramfs app, and its
 * status comes only from the app's final exit frame: Linux powers off
 * with QEMU status 0 even on a panic (§10).
 * QEMU dies with diver (PR_SET_PDEATHSIG), and on a timeout or a signal it
 * is killed before diver exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "boot.h"
#include "chan.h"
#include "console.h"
#include "delegate.h"
#include "fs.h"
#include "pump.h"
#include "qmp.h"
#include "strbuf.h"

/* The guest's RAM file in QEMU (mem-path=/dev/fd/RAM_FD), on the fast path */
#define RAM_FD 4
/* splitvm: QEMU's QMP monitor, on a socket whose other end diver holds */
#define QMP_FD 5

struct vm {
	pid_t pid;
	int to_guest, from_guest, sigfd;
	int from_log;                   /* COM2 through diver, or -1 (--log FILE) */
	bool log_pipe;                  /* make that pipe */
	struct strbuf logline;          /* the log's unfinished line */
	sigset_t oldmask;
	struct console con;
	struct chan *chan;              /* the fast path, or NULL: COM1 only */
	struct delegate *deleg;         /* splitvm: serves the channel's mailbox */
	int qmp, qmp_child;             /* splitvm: QMP, diver's end and QEMU's */
	char **argv;
	double timeout;
	bool exited;
	int wstatus;
	bool linux_boot;                /* a bzImage: the status only from COM1 */
	char *panic;                    /* its log's "Kernel panic" message */
};

struct argv_list {
	char **v;
	size_t n;
};

static void
arg(struct argv_list *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 2) * sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

static void
argf(struct argv_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
argf(struct argv_list *l, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	arg(l, sb.buf);
	strbuf_release(&sb);
}

static void
free_argv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* QEMU option values escape ',' as ",,". */
static char *
opt_escape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		strbuf_addch(&sb, *s);
		if (*s == ',')
			strbuf_addch(&sb, ',');
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * The fast path: the guest's RAM is a file diver maps too (QEMU's
 * memory-backend-file, share=on), and chan=ADDR tells the kernel where in
 * it the channel is.  --dry-run names a file of its own instead, where the
 * guest finds no channel header and keeps to COM1.
 */
static char *
ram_backend(struct argv_list *l, const struct dive_opts *o, const struct chan *c,
	    const char *cmdline)
{
	uint32_t address = c ? chan_guest_address(c)
			     : (uint32_t)(((uint64_t)o->mem_mib << 20) - CHAN_SIZE);

	arg(l, "-object");
	if (c)
		argf(l, "memory-backend-file,id=ram,size=%ldM,mem-path=/dev/fd/%d,share=on",
		     o->mem_mib, RAM_FD);
	else
		argf(l, "memory-backend-file,id=ram,size=%ldM,mem-path=/dev/shm/diver-ram,"
		     "share=on", o->mem_mib);
	arg(l, "-M");
	arg(l, "microvm,memory-backend=ram");
	return xasprintf("chan=0x%08x %s", (unsigned)address, cmdline);
}

/* A Linux kernel needs this much memory to unpack itself and its initramfs. */
#define LINUX_MIN_MIB 128L

/*
 * A bzImage boots fastest on pc with qboot (docs/benchmarks.md, Linux);
 * microvm can hang in the kernel's TSC calibration under TCG.  COM2 is the
 * second -serial.
 */
static void
linux_machine(struct argv_list *l)
{
	const char *qboot = "/usr/share/qemu/qboot.rom";

	arg(l, "-M");
	arg(l, "pc");
	if (access(qboot, R_OK) == 0) {
		arg(l, "-bios");
		arg(l, qboot);
	}
}

static bool
is_splitvm(const struct dive_opts *o)
{
	return o->mode && !strcmp(o->mode, "splitvm");
}

static int
build_argv(const struct home *h, const struct net *n, const struct dive_opts *o,
	   bool fast, const struct chan *chan, struct argv_list *l, struct dv_err *e)
{
	const char *accel = "tcg";
	char *image = fs_join(n->dir, "image"), *cmdline = boot_cmdline(n, o);

	if (boot_choose_accel(h, o->accel, &accel, e) < 0) {
		free(image);
		free(cmdline);
		return -1;
	}
	arg(l, boot_qemu_binary());
	arg(l, "-nodefaults");
	arg(l, "-no-user-config");
	arg(l, "-display");
	arg(l, "none");
	/* microvm boots a multiboot kernel fastest; it has one serial port,
	 * so COM2 is added as an ISA device below */
	if (boot_is_linux(n) && !fast) {
		linux_machine(l);
	} else if (fast) {
		char *with_chan = ram_backend(l, o, chan, cmdline);
		free(cmdline);
		cmdline = with_chan;
	} else {
		arg(l, "-M");
		arg(l, "microvm");
	}
	arg(l, "-accel");
	arg(l, accel);
	arg(l, "-m");
	argf(l, "%ld", boot_is_linux(n) && o->mem_mib < LINUX_MIN_MIB ? LINUX_MIN_MIB
								: o->mem_mib);
	arg(l, "-smp");
	argf(l, "%d", o->cpus);
	arg(l, "-kernel");
	arg(l, image);
	if (jv_get(n->json, "module")) {
		/* build model module: the app, loaded by the kernel at boot
		 * (QEMU's multiboot -initrd splits at ',': doubled ones stay) */
		char *module = fs_join(n->dir, "module"), *esc = opt_escape(module);
		arg(l, "-initrd");
		arg(l, esc);
		free(esc);
		free(module);
	}
	if (jv_get(n->json, "initrd")) {
		/* build model none: the app's initramfs (one file, no splitting) */
		char *initrd = fs_join(n->dir, "initrd");
		arg(l, "-initrd");
		arg(l, initrd);
		free(initrd);
	}
	arg(l, "-append");
	arg(l, cmdline);
	arg(l, "-chardev");
	arg(l, "stdio,id=com1,signal=off");
	arg(l, "-serial");
	arg(l, "chardev:com1");
	arg(l, "-chardev");
	if (o->log_path) {
		char *esc = opt_escape(o->log_path);
		argf(l, "file,id=com2,path=%s", esc);
		free(esc);
	} else
		/* through diver (fd 3 in QEMU), so that log lines reach stderr
		 * whole, never cut by the console's output; --dry-run shows a
		 * command that works on its own */
		arg(l, o->dry_run ? "file,id=com2,path=/dev/fd/2,append=on"
				  : "file,id=com2,path=/dev/fd/3,append=on");
	if (boot_is_linux(n) && !fast) {
		arg(l, "-serial");
		arg(l, "chardev:com2");
	} else {
		arg(l, "-device");
		arg(l, "isa-serial,chardev=com2,iobase=0x2f8,irq=3");
	}
	arg(l, "-device");
	arg(l, "isa-debug-exit,iobase=0xf4,iosize=0x04");
	arg(l, "-no-reboot");
	if (o->gdb_port) {
		arg(l, "-gdb");
		argf(l, "tcp:127.0.0.1:%d", o->gdb_port);
	}
	if (is_splitvm(o)) {
		/* stopped until diver has pinned the vCPU threads */
		arg(l, "-chardev");
		argf(l, "socket,id=qmp,fd=%d", QMP_FD);
		arg(l, "-mon");
		arg(l, "chardev=qmp,mode=control");
		/* threads named "CPU 0/TCG" ..., for top -H and the tests */
		arg(l, "-name");
		arg(l, "splitvm,debug-threads=on");
	}
	if (o->gdb_port || is_splitvm(o))
		arg(l, "-S");
	free(cmdline);
	free(image);
	return 0;
}

static int
qemu_probe(const struct dive_opts *o, struct dv_err *e)
{
	const char *q = boot_qemu_binary();
	char *path = getenv("PATH") ? xstrdup(getenv("PATH")) : xstrdup("/usr/bin");
	bool found = strchr(q, '/') && access(q, X_OK) == 0;

	(void)o;
	for (char *dir = strtok(path, ":"); dir && !found; dir = strtok(NULL, ":")) {
		char *p = fs_join(dir, q);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(path);
	if (!found)
		return dv_errf(e, "'%s' is not installed; install Debian's "
			       "qemu-system-x86 (or run scripts/install-deps)", q);
	return 0;
}

static void
child_exec(struct vm *vm, int in, int out, int log)
{
	/* out of the way of the descriptors placed below, then at RAM_FD, QMP_FD */
	int ram = vm->chan ? fcntl(chan_ram_fd(vm->chan), F_DUPFD_CLOEXEC, 10) : -1;
	int qmp = vm->qmp_child >= 0 ? fcntl(vm->qmp_child, F_DUPFD_CLOEXEC, 10) : -1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((vm->chan && ram < 0) || (vm->qmp_child >= 0 && qmp < 0))
		_exit(127);
	dup2(in, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	if (log >= 0 && (log == 3 ? fcntl(3, F_SETFD, 0) : dup2(log, 3)) < 0)
		_exit(127);
	if ((ram >= 0 && dup2(ram, RAM_FD) < 0) || (qmp >= 0 && dup2(qmp, QMP_FD) < 0))
		_exit(127);
	sigprocmask(SIG_SETMASK, &vm->oldmask, NULL);
	signal(SIGPIPE, SIG_DFL);
	execvp(vm->argv[0], vm->argv);
	fprintf(stderr, "diver: cannot run %s: %s\n", vm->argv[0], strerror(errno));
	_exit(127);
}

static void
qemu_stop(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->pid > 0 && !vm->exited) {
		kill(vm->pid, SIGKILL);
		waitpid(vm->pid, &vm->wstatus, 0);
	}
	chan_free(vm->chan);
	delegate_free(vm->deleg);
	if (vm->qmp >= 0)
		close(vm->qmp);
	if (vm->qmp_child >= 0)
		close(vm->qmp_child);
	if (vm->to_guest >= 0)
		close(vm->to_guest);
	if (vm->from_guest >= 0)
		close(vm->from_guest);
	if (vm->from_log >= 0)
		close(vm->from_log);
	strbuf_release(&vm->logline);
	free(vm->panic);
	if (vm->sigfd >= 0)
		close(vm->sigfd);
	sigprocmask(SIG_SETMASK, &vm->oldmask, NULL);
	console_release(&vm->con);
	free_argv(vm->argv);
	free(vm);
}

static int
spawn(struct vm *vm, struct dv_err *e)
{
	int in[2], out[2], log[2] = { -1, -1 };
	sigset_t mask;

	if (pipe2(in, O_CLOEXEC) < 0)
		return dv_errno(e, "cannot make a pipe");
	if (pipe2(out, O_CLOEXEC) < 0 || (vm->log_pipe && pipe2(log, O_CLOEXEC) < 0)) {
		close(in[0]);
		close(in[1]);
		return dv_errno(e, "cannot make a pipe");
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &vm->oldmask);
	vm->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	vm->pid = vm->sigfd < 0 ? -1 : fork();
	if (vm->pid == 0)
		child_exec(vm, in[0], out[1], log[1]);
	close(in[0]);
	close(out[1]);
	if (log[1] >= 0)
		close(log[1]);
	vm->to_guest = in[1];
	vm->from_guest = out[0];
	vm->from_log = log[0];
	if (vm->pid < 0)
		return dv_errno(e, "cannot start %s", vm->argv[0]);
	fcntl(vm->to_guest, F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
print_command(char **argv)
{
	for (char **p = argv; *p; p++) {
		bool plain = strspn(*p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
				    "UVWXYZ0123456789-_=,./:") == strlen(*p) && **p;
		printf("%s", p == argv ? "" : " ");
		if (plain) {
			printf("%s", *p);
			continue;
		}
		putchar('\'');
		for (const char *c = *p; *c; c++)
			if (*c == '\'')
				printf("'\\''");
			else
				putchar(*c);
		putchar('\'');
	}
	putchar('\n');
}

/*
 * --gdb: QEMU stops before the first instruction; say how to attach, with
 * the symbols of the net (the linked image, or the kernel and the module
 * at the address reef loads apps).
 */
static void
gdb_hint(const struct net *n, int port)
{
	const char *app = jv_str(jv_get(jv_get(n->json, "app"), "dir"));
	char *elf = app ? xasprintf("%s/build/net.elf", app) : NULL;
	char *syms = elf && fs_is_file(elf) ? elf : fs_join(n->dir, "image");

	/* no "set architecture i386": QEMU's x86_64 stub describes the
	 * target, and 32-bit code debugs fine with it */
	fprintf(stderr, "diver: the net waits for gdb on 127.0.0.1:%d; attach with\n"
		"  gdb -q -ex 'symbol-file %s'", port, syms);
	if (app)
		fprintf(stderr, " -ex 'directory %s'", app);
	if (jv_get(n->json, "module"))
		fprintf(stderr, " -ex 'add-symbol-file %s/module 0x01000000'", n->dir);
	fprintf(stderr, " -ex 'target remote 127.0.0.1:%d'\n", port);
	if (syms != elf)
		free(syms);
	free(elf);
}

/*
 * --console: auto takes the shared-memory channel when the kernel declares
 * it (interface.channel) and the memory is within what it maps; uart keeps
 * to COM1; fast insists on the channel.
 */
static int
choose_console(const struct net *n, const struct dive_opts *o, bool *fast,
	       struct dv_err *e)
{
	const char *want = o->console ? o->console : "auto";
	const char *has = jv_str(jv_get(jv_get(n->json, "interface"), "channel"));
	bool declared = has && !strcmp(has, "shm-ring-1");

	*fast = false;
	if (strcmp(want, "auto") && strcmp(want, "uart") && strcmp(want, "fast"))
		return dv_errf(e, "--console '%s': expected auto, uart or fast", want);
	if (is_splitvm(o) && (!strcmp(want, "uart") || !declared ||
			      o->mem_mib > CHAN_MAX_MEM_MIB))
		return dv_errf(e, "-d splitvm: delegated calls travel on the shared-memory "
			       "channel, which %s", !declared ? "this kernel does not declare "
			       "(interface.channel)" : !strcmp(want, "uart") ?
			       "--console uart turns off" : "needs 16M to 2048M of memory");
	if (!strcmp(want, "uart"))
		return 0;
	if (!declared && !strcmp(want, "fast"))
		return dv_errf(e, "--console fast: kernel %s does not declare the "
			       "shared-memory channel (interface.channel); use "
			       "--console uart or a newer release",
			       jv_str(jv_get(jv_get(n->json, "kernel"), "name")));
	*fast = declared && (!strcmp(want, "fast") || o->mem_mib <= CHAN_MAX_MEM_MIB);
	return 0;
}

static size_t
serve_delegate(void *ctx, const unsigned char *req, size_t n, unsigned char *resp,
	       size_t cap)
{
	return delegate_serve(ctx, req, n, resp, cap);
}

/* splitvm before QEMU starts: the delegate on the mailbox, a QMP socket. */
static int
splitvm_prepare(struct vm *vm, const struct dive_opts *o, struct dv_err *e)
{
	int sv[2];

	if (!(vm->deleg = delegate_new(&o->delegate, e)))
		return -1;
	chan_set_delegate(vm->chan, serve_delegate, vm->deleg);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return dv_errno(e, "cannot make a socket for qemu's QMP monitor");
	vm->qmp = sv[0];
	vm->qmp_child = sv[1];
	return 0;
}

/*
 * splitvm while QEMU waits before the first instruction: each vCPU thread
 * on a host core of its own, the channel's thread (the delegate) on the
 * others — when there are more cores than vCPUs; else nothing is pinned.
 */
static int
splitvm_place(struct vm *vm, const struct dive_opts *o, struct dv_err *e)
{
	cpu_set_t others;
	pid_t *tids = NULL;
	size_t n = 0;
	int rc;

	close(vm->qmp_child);
	vm->qmp_child = -1;
	if (qmp_handshake(vm->qmp, e) < 0 || qmp_vcpu_threads(vm->qmp, &tids, &n, e) < 0) {
		int st;
		/* say how QEMU ended, when it did: its own messages may be none */
		if (waitpid(vm->pid, &st, WNOHANG) == vm->pid) {
			vm->exited = true;
			vm->wstatus = st;
			dv_err_prefix(e, "%s %d", WIFSIGNALED(st) ? "qemu was killed by signal"
				      : "qemu exited with status", WIFSIGNALED(st) ? WTERMSIG(st)
				      : WEXITSTATUS(st));
		}
		return -1;
	}
	rc = qmp_pin_vcpus(tids, n, &others, e);
	free(tids);
	if (rc < 0)
		return -1;
	if (rc == 1)
		fprintf(stderr, "diver: splitvm: %d vCPUs and no spare host core; "
			"threads are not pinned\n", o->cpus);
	else
		chan_set_cpus(vm->chan, &others, sizeof others);
	return 0;
}

static struct vm *
qemu_start(const struct home *h, const struct net *n, const struct dive_opts *o,
	   struct dv_err *e)
{
	struct argv_list l = { 0 };
	const char *console = jv_str(jv_get(jv_get(n->json, "interface"), "console"));
	struct chan *chan = NULL;
	struct vm *vm;
	bool fast;

	if (choose_console(n, o, &fast, e) < 0 || boot_check_args(n, o, e) < 0)
		return NULL;
	if (fast && !o->dry_run && !(chan = chan_new(o->mem_mib, e)))
		return NULL;
	if (build_argv(h, n, o, fast, chan, &l, e) < 0) {
		free_argv(l.v);
		chan_free(chan);
		return NULL;
	}
	if (o->gdb_port)
		gdb_hint(n, o->gdb_port);
	if (o->dry_run) {
		print_command(l.v);
		free_argv(l.v);
		return NULL;
	}
	vm = xcalloc(1, sizeof *vm);
	vm->argv = l.v;
	vm->chan = chan;
	vm->timeout = o->timeout;
	vm->to_guest = vm->from_guest = vm->sigfd = vm->from_log = -1;
	vm->qmp = vm->qmp_child = -1;
	vm->log_pipe = !o->log_path;
	strbuf_init(&vm->logline);
	console_init(&vm->con, !console || !strcmp(console, "framed-uart-1"));
	vm->linux_boot = boot_is_linux(n);
	if (vm->linux_boot && !vm->con.framed)
		console_expect_exit_frame(&vm->con);
	if (qemu_probe(o, e) < 0 || (is_splitvm(o) && splitvm_prepare(vm, o, e) < 0) ||
	    spawn(vm, e) < 0 || (is_splitvm(o) && splitvm_place(vm, o, e) < 0) ||
	    (chan && chan_start(chan, STDIN_FILENO, STDOUT_FILENO, vm->to_guest, e) < 0) ||
	    (is_splitvm(o) && !o->gdb_port && qmp_send(vm->qmp, "cont", e) < 0)) {
		qemu_stop(vm);
		return NULL;
	}
	return vm;
}

static void
kill_vm(struct pump *p)
{
	struct vm *vm = p->ctx;

	if (!vm->exited)
		kill(vm->pid, SIGKILL);
}

static void
reap_vm(struct pump *p)
{
	struct vm *vm = p->ctx;

	if (waitpid(vm->pid, &vm->wstatus, WNOHANG) == vm->pid)
		p->guest_gone = vm->exited = true;
}

static void
kick_chan(struct pump *p)
{
	struct vm *vm = p->ctx;

	if (vm->chan)
		chan_kick(vm->chan);
}

static int
chan_fd(struct pump *p)
{
	struct vm *vm = p->ctx;

	return vm->chan && !p->signo ? chan_event_fd(vm->chan) : -1;
}

static void
on_chan_event(struct pump *p)
{
	struct vm *vm = p->ctx;

	if (chan_broken(vm->chan) && !p->signo) {
		p->signo = SIGPIPE;     /* as a closed stdout on COM1 does */
		kill_vm(p);
	}
}

static const struct pump_hooks qemu_hooks = {
	.stop = kill_vm,
	.child = reap_vm,
	.kick = kick_chan,
	.extra_fd = chan_fd,
	.on_extra = on_chan_event,
};

/* No exit frame, timeout or signal: what QEMU's own end says. */
static int
qemu_status(struct vm *vm, int *status, struct dv_err *e)
{
	int code;

	if (vm->panic)
		return dv_errf(e, "the kernel panicked: %s (the app's init must write its "
			       "exit status to /dev/ttyS0 and power off)", vm->panic);
	if (!WIFEXITED(vm->wstatus))
		return dv_errf(e, "qemu was killed by %s", strsignal(WTERMSIG(vm->wstatus)));
	code = WEXITSTATUS(vm->wstatus);
	if (code == 0 && vm->linux_boot)
		return dv_errf(e, "the kernel powered off without an exit status; the "
			       "app's init must write FF 02 STATUS to /dev/ttyS0 first "
			       "(docs/kernel-interface.md §10)");
	if (code == 0 || (code & 1 && code > 1)) {
		*status = code >> 1;
		return 0;
	}
	return dv_errf(e, "the VM ended without an exit status (qemu exited with "
		       "status %d; its messages are above)", code);
}

static int
qemu_wait(struct vm *vm, int *status, struct dv_err *e)
{
	struct pump p = {
		.hooks = &qemu_hooks, .ctx = vm, .con = &vm->con, .sigfd = vm->sigfd,
		.from_guest = &vm->from_guest, .to_guest = &vm->to_guest,
		.log_in = &vm->from_log, .log_out = STDERR_FILENO,
		.logline = &vm->logline, .panic = vm->linux_boot ? &vm->panic : NULL,
		/* on the fast path, stdin is the channel thread's */
		.stdin_open = !vm->chan, .timeout = vm->timeout,
	};
	int rc;

	pump_start(&p);
	while (!vm->exited || vm->from_guest >= 0 || vm->from_log >= 0)
		pump_once(&p);
	chan_finish(vm->chan);          /* the rest of the guest's stdout */
	rc = pump_exit_status(&p, "the VM was stopped", status, e);
	if (rc == 1)
		rc = qemu_status(vm, status, e);
	pump_release(&p);
	return rc;
}

const struct backend backend_qemu = {
	.name = "qemu",
	.mode = "vm",
	.probe = qemu_probe,
	.start = qemu_start,
	.wait = qemu_wait,
	.stop = qemu_stop,
};

/* The same QEMU with the delegate in diver (docs/kernel-interface.md §8). */
const struct backend backend_qemu_splitvm = {
	.name = "qemu",
	.mode = "splitvm",
	.probe = qemu_probe,
	.start = qemu_start,
	.wait = qemu_wait,
	.stop = qemu_stop,
};
