/*
 * backend_libvirt.c — vm mode through libvirt (--via libvirt[=URI]), the
 * only file that sees libvirt.  The net runs as a transient domain created
 * paused with VIR_DOMAIN_START_AUTODESTROY, so libvirtd destroys it when
 * diver's connection closes, even after a kill -9.  Its two serial ports
 * are unix sockets that diver listens on and QEMU connects to while the
 * domain is created: COM1 carries the framed console
 * (docs/kernel-interface.md §2), COM2 the kernel log.  Sockets, unlike
 * libvirt's pty console streams, keep the last bytes a guest wrote when
 * QEMU exits (a pty hangup drops them: about 1 dive in 40 lost its exit
 * frame that way here).  libvirt reports isa-debug-exit only as a crash,
 * so the exit status comes from the console's exit frame alone.  On a
 * timeout, a signal or a reader gone, diver destroys the domain.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend.h"
#include "boot.h"
#include "console.h"
#include "fs.h"
#include "pump.h"
#include "strbuf.h"

/* QEMU connects its serial ports while libvirt creates the domain */
#define CONNECT_WAIT_MS 10000
/* after the exit frame, how long a domain may take to power off */
#define EXIT_GRACE_S 3.0

/*
 * libvirt is opened when a dive uses it, not linked: its 50-odd libraries
 * (GnuTLS, libxml2, GLib...) added ~13 ms to every diver start.  The
 * headers still give the types and prototypes; these are looked up.
 */
#define LIBVIRT_SONAME "libvirt.so.0"

#define LV_SYMBOLS(X) \
	X(virSetErrorFunc) X(virGetLastErrorMessage) \
	X(virConnectOpen) X(virConnectClose) \
	X(virDomainCreateXML) X(virDomainResume) X(virDomainDestroy) \
	X(virDomainFree)

#define LV_SLOT(f) __typeof__(f) *f;
static struct {
	bool loaded;
	LV_SYMBOLS(LV_SLOT)
} lv;

/* libvirt prints its errors on stderr unless told otherwise. */
static void
quiet_errors(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

static int
libvirt_load(struct dv_err *e)
{
	void *so;

	if (lv.loaded)
		return 0;
	if (!(so = dlopen(LIBVIRT_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return dv_errf(e, "--via libvirt: cannot load libvirt (%s): install "
			       "libvirt0 (scripts/install-deps does)", dlerror());
#define LV_LOOKUP(f) \
	if (!(lv.f = (__typeof__(lv.f))dlsym(so, #f))) \
		return dv_errf(e, "'%s' has no '%s': install libvirt 1.0 or newer", \
			       LIBVIRT_SONAME, #f);
	LV_SYMBOLS(LV_LOOKUP)
#undef LV_LOOKUP
	lv.virSetErrorFunc(NULL, quiet_errors);
	lv.loaded = true;
	return 0;
}

/* --- the domain XML --- */

static void
xml_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '\'': strbuf_addstr(sb, "&apos;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		default: strbuf_addch(sb, *s);
		}
}

static void
xml_element(struct strbuf *sb, const char *indent, const char *tag, const char *text)
{
	strbuf_addf(sb, "%s<%s>", indent, tag);
	xml_text(sb, text);
	strbuf_addf(sb, "</%s>\n", tag);
}

/* kernel, module (QEMU splits multiboot -initrd at ','; doubled ones stay) */
static void
xml_os(struct strbuf *sb, const struct net *n, const struct dive_opts *o)
{
	char *image = fs_join(n->dir, "image"), *cmdline = boot_cmdline(n, o);

	strbuf_addstr(sb, "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n");
	xml_element(sb, "    ", "kernel", image);
	if (jv_get(n->json, "module")) {
		char *module = fs_join(n->dir, "module");
		struct strbuf esc = STRBUF_INIT;
		for (const char *c = module; *c; c++) {
			if (*c == ',')
				strbuf_addch(&esc, ',');
			strbuf_addch(&esc, *c);
		}
		xml_element(sb, "    ", "initrd", esc.buf);
		strbuf_release(&esc);
		free(module);
	}
	if (jv_get(n->json, "initrd")) {
		/* build model none: the app's initramfs, one file */
		char *initrd = fs_join(n->dir, "initrd");
		xml_element(sb, "    ", "initrd", initrd);
		free(initrd);
	}
	xml_element(sb, "    ", "cmdline", cmdline);
	strbuf_addstr(sb, "  </os>\n");
	free(cmdline);
	free(image);
}

static void
xml_serial(struct strbuf *sb, const char *dir, int port)
{
	strbuf_addstr(sb, "    <serial type='unix'><source mode='connect' path='");
	xml_text(sb, dir);
	strbuf_addf(sb, "/com%d'/><target port='%d'/></serial>\n", port + 1, port);
}

/*
 * A system daemon runs QEMU with diver's own user and group and changes no
 * file's owner (relabel='no'): the VM reads exactly what the user who
 * dives can.  A session daemon is that user already (and has no DAC
 * driver).  No network, no USB, no balloon; the net's power-off ends the
 * domain.
 */
static char *
domain_xml(const struct net *n, const struct dive_opts *o, const char *name,
	   const char *accel, const char *dir, const char *uri)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/"
		    "domain/qemu/1.0'>\n", !strcmp(accel, "kvm") ? "kvm" : "qemu");
	xml_element(&sb, "  ", "name", name);
	strbuf_addf(&sb, "  <memory unit='MiB'>%ld</memory>\n",
		    boot_is_linux(n) && o->mem_mib < BOOT_LINUX_MIN_MIB ? BOOT_LINUX_MIN_MIB
								 : o->mem_mib);
	strbuf_addf(&sb, "  <vcpu>%d</vcpu>\n", o->cpus);
	xml_os(&sb, n, o);
	if (boot_is_linux(n))
		/* without ACPI, libvirt's -no-acpi, Linux's poweroff only halts */
		strbuf_addstr(&sb, "  <features><acpi/></features>\n");
	strbuf_addstr(&sb, "  <on_poweroff>destroy</on_poweroff>\n"
		      "  <on_reboot>destroy</on_reboot>\n"
		      "  <on_crash>destroy</on_crash>\n");
	if (!strstr(uri, "/session"))
		strbuf_addf(&sb, "  <seclabel type='static' model='dac' relabel='no'>"
			    "<label>+%u:+%u</label></seclabel>\n",
			    (unsigned)getuid(), (unsigned)getgid());
	strbuf_addstr(&sb, "  <devices>\n");
	xml_serial(&sb, dir, 0);
	xml_serial(&sb, dir, 1);
	strbuf_addstr(&sb, "    <controller type='usb' model='none'/>\n"
		      "    <memballoon model='none'/>\n"
		      "  </devices>\n"
		      "  <qemu:commandline>\n"
		      "    <qemu:arg value='-device'/>\n"
		      "    <qemu:arg value='isa-debug-exit,iobase=0xf4,iosize=0x04'/>\n"
		      "  </qemu:commandline>\n"
		      "</domain>\n");
	return strbuf_detach(&sb, NULL);
}

/* --- the domain and its serial sockets --- */

struct vm {
	virConnectPtr conn;
	virDomainPtr dom;
	char *uri;
	char *dir;                      /* the sockets' directory until connected */
	int listen[2];                  /* COM1, COM2 */
	int com1, com2;                 /* QEMU's connections */
	int log_fd;                     /* stderr or the --log file */
	int sigfd;
	sigset_t oldmask;
	struct console con;
	struct strbuf logline;          /* the log's unfinished line */
	double timeout;
	bool ended;                     /* QEMU closed both ports: it has exited */
	bool linux_boot;                /* a bzImage: its init sends the status */
	char *panic;                    /* its log's "Kernel panic" message */
};

/*
 * The URI: --via libvirt=URI; else $LIBVIRT_DEFAULT_URI (libvirt's own
 * convention); else qemu:///system for root and qemu:///session for
 * everyone else (a user's own unprivileged daemon).
 */
static char *
libvirt_uri(const struct dive_opts *o)
{
	const char *eq = o->via ? strchr(o->via, '=') : NULL;
	const char *env = getenv("LIBVIRT_DEFAULT_URI");

	if (eq && eq[1])
		return xstrdup(eq + 1);
	if (env && *env)
		return xstrdup(env);
	return xstrdup(geteuid() == 0 ? "qemu:///system" : "qemu:///session");
}

static int
lv_errf(struct dv_err *e, const char *uri, const char *what)
{
	const char *m = lv.virGetLastErrorMessage();

	return dv_errf(e, "libvirt %s: %s: %s", uri, what, m ? m : "unknown error");
}

static void
remove_sockets(struct vm *vm)
{
	char *p;

	if (!vm->dir)
		return;
	for (int i = 0; i < 2; i++) {
		p = xasprintf("%s/com%d", vm->dir, i + 1);
		unlink(p);
		free(p);
	}
	rmdir(vm->dir);
	free(vm->dir);
	vm->dir = NULL;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
libvirt_stop(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->dom) {
		/* libvirtd signals an exited QEMU until its pid is reaped,
		 * which PID 1 on this machine does late (1.4-1.8 s); closing
		 * the connection ends the domain without waiting for that */
		if (!vm->ended)
			lv.virDomainDestroy(vm->dom);
		lv.virDomainFree(vm->dom);
	}
	if (vm->conn)
		lv.virConnectClose(vm->conn);
	remove_sockets(vm);
	close_fd(&vm->listen[0]);
	close_fd(&vm->listen[1]);
	close_fd(&vm->com1);
	close_fd(&vm->com2);
	if (vm->log_fd > STDERR_FILENO)
		close(vm->log_fd);
	if (vm->sigfd >= 0) {
		close(vm->sigfd);
		sigprocmask(SIG_SETMASK, &vm->oldmask, NULL);
	}
	strbuf_release(&vm->logline);
	console_release(&vm->con);
	free(vm->panic);
	free(vm->uri);
	free(vm);
}

/* A private directory with a listening socket for each serial port. */
static int
make_sockets(struct vm *vm, struct dv_err *e)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	vm->dir = xasprintf("%s/diver-libvirt.XXXXXX", run && *run ? run : "/tmp");
	if (!mkdtemp(vm->dir)) {
		dv_errno(e, "cannot make a directory like '%s'", vm->dir);
		free(vm->dir);
		vm->dir = NULL;
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/com%d",
				     vm->dir, i + 1) >= sizeof sa.sun_path)
			return dv_errf(e, "'%s': too long for a socket path; set "
				       "XDG_RUNTIME_DIR to a shorter directory", vm->dir);
		vm->listen[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (vm->listen[i] < 0 ||
		    bind(vm->listen[i], (struct sockaddr *)&sa, sizeof sa) < 0 ||
		    listen(vm->listen[i], 1) < 0)
			return dv_errno(e, "cannot listen on '%s'", sa.sun_path);
	}
	return 0;
}

static int
accept_serial(struct vm *vm, int i, int *fd, struct dv_err *e)
{
	struct pollfd pfd = { vm->listen[i], POLLIN, 0 };

	if (poll(&pfd, 1, CONNECT_WAIT_MS) <= 0 ||
	    (*fd = accept4(vm->listen[i], NULL, NULL, SOCK_CLOEXEC)) < 0)
		return dv_errf(e, "libvirt %s: the domain's COM%d did not connect to "
			       "diver (--via libvirt needs a daemon on this host)",
			       vm->uri, i + 1);
	fcntl(*fd, F_SETFL, O_NONBLOCK);
	return 0;
}

static int
connect_daemon(struct vm *vm, struct dv_err *e)
{
	if (!(vm->conn = lv.virConnectOpen(vm->uri))) {
		const char *m = lv.virGetLastErrorMessage();
		return dv_errf(e, "libvirt %s: cannot connect: %s (start libvirtd, or "
			       "name another daemon with --via libvirt=URI)", vm->uri,
			       m ? m : "unknown error");
	}
	return 0;
}

/* Created paused, so that both ports are connected before the first instruction. */
static int
create_domain(struct vm *vm, const char *xml, struct dv_err *e)
{
	vm->dom = lv.virDomainCreateXML(vm->conn, xml,
		VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY);
	if (!vm->dom)
		return lv_errf(e, vm->uri, "cannot start the net's domain");
	if (accept_serial(vm, 0, &vm->com1, e) < 0 || accept_serial(vm, 1, &vm->com2, e) < 0)
		return -1;
	remove_sockets(vm);
	close_fd(&vm->listen[0]);
	close_fd(&vm->listen[1]);
	if (lv.virDomainResume(vm->dom) < 0)
		return lv_errf(e, vm->uri, "cannot resume the net's domain");
	return 0;
}

static int
block_signals(struct vm *vm, struct dv_err *e)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &vm->oldmask);
	if ((vm->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		sigprocmask(SIG_SETMASK, &vm->oldmask, NULL);
		return dv_errno(e, "cannot watch signals");
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static struct vm *
vm_new(const struct net *n, const struct dive_opts *o)
{
	const char *console = jv_str(jv_get(jv_get(n->json, "interface"), "console"));
	struct vm *vm = xcalloc(1, sizeof *vm);

	vm->uri = libvirt_uri(o);
	vm->timeout = o->timeout;
	vm->log_fd = STDERR_FILENO;
	vm->sigfd = vm->com1 = vm->com2 = vm->listen[0] = vm->listen[1] = -1;
	strbuf_init(&vm->logline);
	console_init(&vm->con, !console || !strcmp(console, "framed-uart-1"));
	vm->linux_boot = boot_is_linux(n);
	if (vm->linux_boot && !vm->con.framed)
		console_expect_exit_frame(&vm->con);     /* the app's final FF 02 S */
	return vm;
}

static int
libvirt_probe(const struct dive_opts *o, struct dv_err *e)
{
	(void)o;
	return libvirt_load(e);
}

static char *
dry_run_xml(const struct home *h, const struct net *n, const struct dive_opts *o,
	    struct dv_err *e)
{
	const char *accel = "tcg";
	char name[128], *uri, *xml;

	if (boot_choose_accel(h, o->accel, &accel, e) < 0)
		return NULL;
	snprintf(name, sizeof name, "diver-%.12s-%ld", n->id, (long)getpid());
	uri = libvirt_uri(o);
	xml = domain_xml(n, o, name, accel, "/tmp/diver-libvirt.XXXXXX", uri);
	free(uri);
	return xml;
}

static struct vm *
libvirt_start(const struct home *h, const struct net *n, const struct dive_opts *o,
	      struct dv_err *e)
{
	const char *accel = "tcg";
	char name[128], *xml = NULL;
	struct vm *vm;

	if (o->gdb_port || (o->console && !strcmp(o->console, "fast"))) {
		dv_errf(e, "%s is not available with --via libvirt; use --via qemu",
			o->gdb_port ? "--gdb" : "--console fast");
		return NULL;
	}
	if (boot_check_args(n, o, e) < 0)
		return NULL;
	if (o->dry_run) {
		if ((xml = dry_run_xml(h, n, o, e)))
			fputs(xml, stdout);
		free(xml);
		return NULL;
	}
	if (boot_choose_accel(h, o->accel, &accel, e) < 0 || libvirt_load(e) < 0)
		return NULL;
	vm = vm_new(n, o);
	if (o->log_path && (vm->log_fd = open(o->log_path, O_WRONLY | O_CREAT |
					      O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		dv_errno(e, "--log '%s': cannot write it", o->log_path);
		goto fail;
	}
	snprintf(name, sizeof name, "diver-%.12s-%ld", n->id, (long)getpid());
	if (make_sockets(vm, e) < 0 || block_signals(vm, e) < 0 ||
	    connect_daemon(vm, e) < 0)
		goto fail;
	xml = domain_xml(n, o, name, accel, vm->dir, vm->uri);
	if (create_domain(vm, xml, e) < 0)
		goto fail;
	free(xml);
	return vm;
fail:
	libvirt_stop(vm);
	free(xml);
	return NULL;
}

/* --- the console loop --- */

/* The domain ends; its sockets then reach their end. */
static void
destroy(struct pump *p)
{
	struct vm *vm = p->ctx;

	if (vm->dom)
		lv.virDomainDestroy(vm->dom);
}

static const struct pump_hooks libvirt_hooks = { .stop = destroy };

/* No exit frame, timeout or signal. */
static int
domain_status(struct vm *vm, int *status, struct dv_err *e)
{
	*status = 1;
	if (vm->panic)
		return dv_errf(e, "the kernel panicked: %s (the app's init must write its "
			       "exit status to /dev/ttyS0 and power off)", vm->panic);
	if (vm->linux_boot)
		return dv_errf(e, "the net's domain ended without an exit status on its "
			       "console (the app's init must write it to /dev/ttyS0 and "
			       "power off; the kernel log is above)");
	return dv_errf(e, "the net's domain ended without an exit status on its "
		       "console (libvirt shows isa-debug-exit only as a crash; the "
		       "kernel log is above)");
}

/* Until QEMU has closed both serial ports: it has then written everything. */
static int
libvirt_wait(struct vm *vm, int *status, struct dv_err *e)
{
	struct pump p = {
		.hooks = &libvirt_hooks, .ctx = vm, .con = &vm->con, .sigfd = vm->sigfd,
		.from_guest = &vm->com1, .to_guest = &vm->com1,
		.log_in = &vm->com2, .log_out = vm->log_fd, .logline = &vm->logline,
		.panic = vm->linux_boot ? &vm->panic : NULL, .stdin_open = true,
		.timeout = vm->timeout, .grace_s = EXIT_GRACE_S,
	};
	int rc;

	pump_start(&p);
	while (vm->com1 >= 0 || vm->com2 >= 0)
		pump_once(&p);
	vm->ended = true;
	rc = pump_exit_status(&p, "the domain was destroyed", status, e);
	if (rc == 1)
		rc = domain_status(vm, status, e);
	pump_release(&p);
	return rc;
}

const struct backend backend_libvirt = {
	.name = "libvirt",
	.mode = "vm",
	.probe = libvirt_probe,
	.start = libvirt_start,
	.wait = libvirt_wait,
	.stop = libvirt_stop,
};
