/*
 * diver doctor [-d vm|splitvm|hw] [--json]
 *
 * What this host has and lacks for each mode, each missing piece with
 * the way to get it.  The checks are one table; a mode is usable when
 * none of its required checks fails.  DIVER_SYSROOT moves /sys, /proc
 * and /dev (tests give a simulated host that way).  The co-kernel rows
 * are the backends' own probes, so doctor and dive cannot disagree.
 */
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "diver.h"
#include "fs.h"
#include "host.h"
#include "journal.h"
#include "backend.h"
#include "strbuf.h"

enum { OPT_JSON = 256, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ 'd', "mode", "MODE", "check only what MODE needs: vm, splitvm or hw" },
	{ OPT_JSON, "json", NULL, "print JSON for scripts" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver doctor [-d MODE] [--json]",
	"Check what this host has for each dive mode (vm, splitvm, hw) and say\n"
	"how to get what is missing.  Exits 1 when a mode asked for (or, without\n"
	"-d, vm) cannot run here.",
	options,
};

enum state { OK, NOTE, MISSING };
static const char *const state_word[] = { "ok", "note", "missing" };

struct result {
	enum state state;
	char detail[256];
	const char *fix;
	char fixbuf[256];       /* fix, when it is made up */
};

struct check {
	const char *modes;      /* the modes it matters for, space-separated */
	const char *name;
	bool required;          /* MISSING makes those modes unusable */
	void (*run)(const struct home *h, struct result *r);
};

/* The first line prog prints for arg (e.g. --version), or "". */
static void
first_line(const char *prog, const char *arg, char *out, size_t len)
{
	int pipefd[2];
	pid_t pid;
	ssize_t n;

	out[0] = '\0';
	if (pipe(pipefd) < 0)
		return;
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(pipefd[1], 1);
		dup2(null, 0);
		dup2(null, 2);
		execl(prog, prog, arg, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	n = pid > 0 ? read(pipefd[0], out, len - 1) : -1;
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(pipefd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void
check_qemu(const struct home *h, struct result *r)
{
	char *q = host_which("qemu-system-x86_64");

	(void)h;
	if (!q) {
		r->state = MISSING;
		snprintf(r->detail, sizeof r->detail, "qemu-system-x86_64 is not in PATH");
		r->fix = "apt-get install qemu-system-x86 (or module load qemu)";
		return;
	}
	first_line(q, "--version", r->detail, sizeof r->detail);
	if (!r->detail[0])
		snprintf(r->detail, sizeof r->detail, "%s does not run", q);
	r->state = r->detail[0] && strstr(r->detail, "version") ? OK : MISSING;
	r->fix = r->state == OK ? NULL : "reinstall qemu-system-x86";
	free(q);
}

static bool
cpu_flag(const char *flag)
{
	char *p = host_path("/proc/cpuinfo");
	struct strbuf sb = STRBUF_INIT;
	bool yes = false;

	if (fs_read_file(p, 16 << 20, &sb, NULL) == 0) {
		for (char *s = sb.buf; (s = strstr(s, flag)); s++)
			if (isspace((unsigned char)s[-1]) &&
			    (isspace((unsigned char)s[strlen(flag)]) || !s[strlen(flag)])) {
				yes = true;
				break;
			}
	}
	strbuf_release(&sb);
	free(p);
	return yes;
}

static void
check_kvm(const struct home *h, struct result *r)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	bool hw = cpu_flag("vmx") || cpu_flag("svm");
	bool mod = host_exists("/sys/module/kvm_intel") || host_exists("/sys/module/kvm_amd");

	(void)h;
	if (fd >= 0)
		close(fd);
	if (fd >= 0 && hw && mod) {
		r->state = OK;
		snprintf(r->detail, sizeof r->detail, "/dev/kvm with hardware "
			 "virtualization (%s)", cpu_flag("vmx") ? "vmx" : "svm");
	} else if (fd >= 0) {
		r->state = NOTE;
		snprintf(r->detail, sizeof r->detail, "/dev/kvm opens, but the CPU "
			 "shows no vmx/svm: a paravirtual KVM, slower than TCG here");
		r->fix = "nothing: --accel auto uses TCG on this host";
	} else {
		r->state = NOTE;
		snprintf(r->detail, sizeof r->detail, "no usable /dev/kvm: nets run "
			 "under TCG, slower");
		r->fix = hw ? "modprobe kvm_intel (or kvm_amd) and join group kvm"
			    : "run on a host with hardware virtualization";
	}
}

/* qemu:///session: the libvirt client starts the user's own libvirtd. */
static void
check_libvirt_session(struct result *r)
{
	char *d = host_which("libvirtd");

	r->state = d ? OK : NOTE;
	snprintf(r->detail, sizeof r->detail, d ? "qemu:///session: libvirt starts "
		 "your own libvirtd (%s)" : "qemu:///session: no libvirtd: --via "
		 "libvirt is not available", d);
	free(d);
}

/*
 * What --via libvirt needs: the daemon of its default URI and, for the
 * system daemon, virtlogd (a domain does not start without it).
 */
static void
check_libvirt(const struct home *h, struct result *r)
{
	static const char *const socks[] = { "/run/libvirt/virtqemud-sock",
					     "/run/libvirt/libvirt-sock", NULL };
	const char *uri = getenv("LIBVIRT_DEFAULT_URI");
	const char *const *s = socks;

	(void)h;
	r->fix = "apt-get install libvirt-daemon-system, then start virtlogd and "
		 "libvirtd (only for --via libvirt)";
	if (uri && *uri) {
		r->state = NOTE;
		snprintf(r->detail, sizeof r->detail, "LIBVIRT_DEFAULT_URI=%s, not "
			 "checked", uri);
		return;
	}
	if (geteuid() != 0) {
		check_libvirt_session(r);
		return;
	}
	while (*s && !fs_exists(*s))
		s++;
	r->state = *s && fs_exists("/run/libvirt/virtlogd-sock") ? OK : NOTE;
	if (!*s)
		snprintf(r->detail, sizeof r->detail, "qemu:///system: no libvirt "
			 "daemon socket: --via libvirt is not available");
	else
		snprintf(r->detail, sizeof r->detail, "qemu:///system: daemon socket "
			 "%s%s", *s, r->state == OK ? ", virtlogd" : "; no virtlogd "
			 "socket: domains cannot start");
}

static void
check_build(const struct home *h, struct result *r)
{
	char *make = host_which("make"), *gcc = host_which("gcc");
	char *tc = fs_join(h->data, "toolchains"), **names = NULL;
	size_t n = 0;

	if (fs_is_dir(tc))
		fs_list_dir(tc, &names, &n, NULL);
	if (!make) {
		r->state = MISSING;
		snprintf(r->detail, sizeof r->detail, "make is not in PATH");
		r->fix = "apt-get install make";
	} else if (n) {
		r->state = OK;
		snprintf(r->detail, sizeof r->detail, "make; %zu toolchain%s installed "
			 "(%s%s)", n, n == 1 ? "" : "s", names[0], n > 1 ? ", ..." : "");
	} else if (gcc) {
		r->state = OK;
		snprintf(r->detail, sizeof r->detail, "make and the host's gcc (no "
			 "kernel toolchain installed yet; diver init installs one "
			 "when the source has it)");
	} else {
		r->state = MISSING;
		snprintf(r->detail, sizeof r->detail, "no gcc and no toolchain installed");
		r->fix = "apt-get install gcc gcc-multilib, or use a source that "
			 "carries the kernel's toolchain";
	}
	fs_names_free(names);
	free(tc);
	free(make);
	free(gcc);
}

static void
check_cores(const struct home *h, struct result *r)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	(void)h;
	r->state = n >= 2 ? OK : NOTE;
	snprintf(r->detail, sizeof r->detail, "%ld online cores%s", n,
		 n >= 2 ? ": the delegate and the kernel can have their own" :
		 ": the delegate shares the kernel's core");
	r->fix = n >= 2 ? NULL : "use a host with 2 or more cores";
}

/* A backend's probe as a check: its message is "what is missing; fix". */
static void
probe_check(const struct backend *b, struct result *r)
{
	struct dive_opts o = { 0 };
	struct dv_err e = { "" };
	char *semi;

	if (b->probe(&o, &e) == 0) {
		r->state = OK;
		snprintf(r->detail, sizeof r->detail, "--via %s can run here", b->name);
		return;
	}
	r->state = MISSING;
	semi = strstr(e.msg, "; ");
	if (semi) {
		*semi = '\0';
		snprintf(r->fixbuf, sizeof r->fixbuf, "%.255s", semi + 2);
		r->fix = r->fixbuf;
	}
	snprintf(r->detail, sizeof r->detail, "%.255s", e.msg);
}

static void
check_ihk(const struct home *h, struct result *r)
{
	(void)h;
	probe_check(&backend_ihk, r);
}

static void
check_pisces(const struct home *h, struct result *r)
{
	(void)h;
	probe_check(&backend_pisces, r);
}

static void
check_jailhouse(const struct home *h, struct result *r)
{
	(void)h;
	probe_check(&backend_jailhouse, r);
}

static void
check_palacios(const struct home *h, struct result *r)
{
	(void)h;
	probe_check(&backend_palacios, r);
}

static void
check_cokernel(const struct home *h, struct result *r)
{
	static const struct backend *const hw[] = { &backend_ihk, &backend_pisces,
						    &backend_jailhouse };
	struct strbuf have = STRBUF_INIT;

	(void)h;
	for (size_t i = 0; i < sizeof hw / sizeof hw[0]; i++) {
		struct dive_opts o = { 0 };
		struct dv_err e = { "" };
		if (hw[i]->probe(&o, &e) == 0)
			strbuf_addf(&have, "%s%s", have.len ? ", " : "", hw[i]->name);
	}
	if (have.len) {
		r->state = OK;
		snprintf(r->detail, sizeof r->detail, "-d hw can use --via %s "
			 "(--via auto takes the first)", have.buf);
	} else {
		r->state = MISSING;
		snprintf(r->detail, sizeof r->detail, "none of IHK/McKernel, Pisces "
			 "or Jailhouse is usable here (the rows above say why)");
		r->fix = "install one of them (docs/hw-mode.md)";
	}
	strbuf_release(&have);
}

/* Root, or a simulated host: hw mode writes sysfs and runs insmod. */
static void
check_privileges(const struct home *h, struct result *r)
{
	const char *root = getenv("DIVER_SYSROOT");

	(void)h;
	if (root && *root) {
		r->state = OK;
		snprintf(r->detail, sizeof r->detail, "a simulated host at %s "
			 "(DIVER_SYSROOT): no root needed", root);
	} else if (geteuid() == 0) {
		r->state = OK;
		snprintf(r->detail, sizeof r->detail, "running as root");
	} else {
		r->state = MISSING;
		snprintf(r->detail, sizeof r->detail, "not root: co-kernels need "
			 "insmod and writes to /sys");
		r->fix = "run diver dive -d hw as root (sudo)";
	}
}

/* Online, removable memory blocks (Pisces takes a run of them). */
static void
check_memory(const struct home *h, struct result *r)
{
	char *dir = host_path("/sys/devices/system/memory"), **names = NULL;
	size_t n = 0, usable = 0;

	(void)h;
	if (fs_is_dir(dir) && fs_list_dir(dir, &names, &n, NULL) == 0)
		for (size_t i = 0; i < n; i++) {
			char path[512], buf[32];
			struct dv_err e;
			if (strncmp(names[i], "memory", 6) || !strcmp(names[i], "memory0"))
				continue;
			snprintf(path, sizeof path, "/sys/devices/system/memory/%s/state", names[i]);
			usable += host_read_attr(path, buf, sizeof buf, &e) == 0 &&
				  !strcmp(buf, "online");
		}
	r->state = usable ? OK : NOTE;
	snprintf(r->detail, sizeof r->detail, "%zu online memory block%s can be "
		 "offered to a co-kernel", usable, usable == 1 ? "" : "s");
	r->fix = usable ? NULL : "only --via pisces needs memory hotplug "
				 "(/sys/devices/system/memory)";
	fs_names_free(names);
	free(dir);
}

/* An undo journal a killed dive left: its cores and memory are still taken. */
static void
check_journal(const struct home *h, struct result *r)
{
	struct journal_report *rep = NULL;
	struct dv_err e = { "" };
	size_t n = 0, left = 0;

	if (journal_recover(h, true, &rep, &n, &e) == 0)
		for (size_t i = 0; i < n; i++)
			left += !rep[i].busy;
	r->state = left ? MISSING : OK;
	if (left)
		snprintf(r->detail, sizeof r->detail, "%zu dive%s killed before it "
			 "cleaned up left its undo journal (%s)", left, left == 1 ? "" : "s",
			 rep[0].path);
	else
		snprintf(r->detail, sizeof r->detail, "no undo journal left by a "
			 "killed dive");
	r->fix = left ? "diver recover" : NULL;
	journal_reports_free(rep, n);
}

static void
check_offline(const struct home *h, struct result *r)
{
	int n = 0;

	(void)h;
	for (int cpu = 1; cpu < 4096; cpu++) {
		char *p = xasprintf("/sys/devices/system/cpu/cpu%d/online", cpu);
		char *hp = host_path(p);
		bool writable = access(hp, W_OK) == 0;
		bool exists = fs_exists(hp);
		free(p);
		free(hp);
		if (!exists) {
			if (cpu > 64)
				break;
			continue;
		}
		n += writable;
	}
	r->state = n ? OK : MISSING;
	snprintf(r->detail, sizeof r->detail, "%d core%s can be taken offline for "
		 "a co-kernel", n, n == 1 ? "" : "s");
	r->fix = n ? NULL : "run as root on a host with CPU hotplug "
			    "(/sys/devices/system/cpu/cpuN/online)";
}

static const struct check checks[] = {
	{ "vm splitvm", "qemu", true, check_qemu },
	{ "vm splitvm", "kvm", false, check_kvm },
	{ "vm", "libvirt", false, check_libvirt },
	{ "vm splitvm hw", "build", true, check_build },
	{ "splitvm", "cores", false, check_cores },
	{ "hw", "ihk", false, check_ihk },
	{ "hw", "pisces", false, check_pisces },
	{ "hw", "jailhouse", false, check_jailhouse },
	{ "hw", "co-kernel", true, check_cokernel },
	{ "hw", "privileges", true, check_privileges },
	{ "hw", "cores offline", true, check_offline },
	{ "hw", "memory offline", false, check_memory },
	{ "splitvm", "palacios", false, check_palacios },
	{ "hw splitvm", "journal", false, check_journal },
};

#define NCHECKS (sizeof checks / sizeof checks[0])

static bool
for_mode(const struct check *c, const char *mode)
{
	size_t n = strlen(mode);

	for (const char *p = c->modes; (p = strstr(p, mode)); p += n)
		if ((p == c->modes || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

int
cmd_doctor(int argc, char **argv)
{
	static const char *const modes[] = { "vm", "splitvm", "hw", NULL };
	struct result res[NCHECKS];
	struct dv_err e = { "" };
	const char *only = NULL;
	bool json = false, usable[3] = { true, true, true };
	struct home h;
	char *arg;
	int c, rc = 0;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'd': only = arg; break;
		case OPT_JSON: json = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver doctor", "bad option");
		}
	}
	if (only && strcmp(only, "vm") && strcmp(only, "splitvm") && strcmp(only, "hw"))
		return cli_usage_error("diver doctor", "-d '%s': expected vm, splitvm "
				       "or hw", only);
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	memset(res, 0, sizeof res);
	for (size_t i = 0; i < NCHECKS; i++) {
		if (only && !for_mode(&checks[i], only))
			continue;
		checks[i].run(&h, &res[i]);
		for (int m = 0; modes[m]; m++)
			if (checks[i].required && res[i].state == MISSING &&
			    for_mode(&checks[i], modes[m]))
				usable[m] = false;
	}
	if (json) {
		jv *o = jv_object(), *arr = jv_array(), *ms = jv_object();
		char *s;
		for (size_t i = 0; i < NCHECKS; i++) {
			jv *r;
			if (only && !for_mode(&checks[i], only))
				continue;
			r = jv_object();
			jv_set(r, "check", jv_string(checks[i].name));
			jv_set(r, "modes", jv_string(checks[i].modes));
			jv_set(r, "status", jv_string(state_word[res[i].state]));
			jv_set(r, "detail", jv_string(res[i].detail));
			if (res[i].fix)
				jv_set(r, "fix", jv_string(res[i].fix));
			jv_push(arr, r);
		}
		for (int m = 0; modes[m]; m++)
			if (!only || !strcmp(only, modes[m]))
				jv_set(ms, modes[m], jv_boolean(usable[m]));
		jv_set(o, "checks", arr);
		jv_set(o, "usable", ms);
		s = jv_dump(o, JV_PRETTY);
		fputs(s, stdout);
		free(s);
		jv_free(o);
	} else {
		printf("%-14s %-8s %-15s %s\n", "CHECK", "STATUS", "MODES", "DETAIL");
		for (size_t i = 0; i < NCHECKS; i++) {
			if (only && !for_mode(&checks[i], only))
				continue;
			printf("%-14s %-8s %-15s %s\n", checks[i].name,
			       state_word[res[i].state], checks[i].modes, res[i].detail);
			if (res[i].fix)
				printf("%-14s %-8s %-15s fix: %s\n", "", "", "", res[i].fix);
		}
		printf("\n");
		for (int m = 0; modes[m]; m++)
			if (!only || !strcmp(only, modes[m]))
				printf("%-8s %s\n", modes[m], usable[m] ? "can run here" :
				       "cannot run here: see the missing checks above");
	}
	for (int m = 0; modes[m]; m++)
		if ((only ? !strcmp(only, modes[m]) : m == 0) && !usable[m])
			rc = 1;
	home_release(&h);
	return rc;
}
