/*
 * backend_ihk.c — hw mode on IHK/McKernel (--via ihk), the sequence of
 * McKernel's mcreboot-smp.sh and mcstop+release-smp.sh
 * (docs/hw-mode.md): load the IHK modules, reserve memory and cores (the
 * IHK driver offlines the cores itself), load mcctrl, create an OS
 * instance, assign it the cores and memory, load the net's image with its
 * command line as kargs, boot, wait for RUNNING; mcexec carries the app's
 * console and ihkosctl kmsg the kernel log.  Every reservation is undone
 * from the journal, in reverse order.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cokernel.h"
#include "fs.h"
#include "host.h"
#include "strbuf.h"

#define IHK "IHK/McKernel"

static const char *const ihk_tools[] = { "insmod", "rmmod", "ihkconfig", "ihkosctl",
					 "mcexec", NULL };
static const char *const ihk_modules[] = { "ihk.ko", "ihk-smp-x86_64.ko", "mcctrl.ko",
					   NULL };

/* Where IHK and McKernel are installed ($DIVER_IHK_PREFIX, /opt/ppos). */
static char *
ihk_kmod(const char *module)
{
	const char *p = getenv("DIVER_IHK_PREFIX");

	return xasprintf("%s/kmod/%s", p && *p ? p : "/opt/ppos", module);
}

static int
ihk_probe(const struct dive_opts *o, struct dv_err *e)
{
	(void)o;
	if (cokernel_need_tools(IHK, ihk_tools, "install IHK and McKernel "
				"(github.com/RIKEN-SysSoft/mckernel) and put their "
				"sbin and bin in PATH", e) < 0)
		return -1;
	for (const char *const *m = ihk_modules; *m; m++) {
		char *p = ihk_kmod(*m);
		bool ok = fs_is_file(p);
		if (!ok)
			dv_errf(e, IHK ": no kernel module %s; install IHK and McKernel "
				"there, or set DIVER_IHK_PREFIX to their prefix", p);
		free(p);
		if (!ok)
			return -1;
	}
	return cokernel_need_path(IHK, "/proc/modules", "IHK needs a Linux host "
				  "with loadable modules", e);
}

static bool
module_loaded(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char *p = host_path("/proc/modules");
	size_t n = strlen(name);
	bool yes = false;

	if (fs_read_file(p, 1 << 20, &sb, NULL) == 0)
		for (const char *l = sb.buf; l && *l && !yes; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
			yes = !strncmp(l, name, n) && l[n] == ' ';
	strbuf_release(&sb);
	free(p);
	return yes;
}

/* insmod a module unless it is loaded; the undo is its rmmod. */
static int
load_module(struct vm *vm, const char *file, const char *name, const char *param,
	    struct dv_err *e)
{
	char *path = ihk_kmod(file), *what = xasprintf("load %s", file);
	struct undo u = { .argv = (char *[]){ "rmmod", (char *)name, NULL } };
	int rc = 0;

	if (!module_loaded(name))
		rc = cokernel_step(vm, what, &u, (char *[]){ "insmod", path,
				   (char *)param, NULL }, NULL, e);
	free(what);
	free(path);
	return rc;
}

static int
reserve(struct vm *vm, const char *kind, const char *arg, struct dv_err *e)
{
	char *what = xasprintf("reserve %s %s", kind, arg);
	struct undo u = { .argv = (char *[]){ "ihkconfig", "0", "release", (char *)kind,
					      (char *)arg, NULL } };
	int rc = cokernel_step(vm, what, &u, (char *[]){ "ihkconfig", "0", "reserve",
			       (char *)kind, (char *)arg, NULL }, NULL, e);

	free(what);
	return rc;
}

/* ihkosctl 0 get status until RUNNING (a few seconds at most). */
static int
wait_running(struct vm *vm, struct dv_err *e)
{
	for (int i = 0; i < 100; i++) {
		struct strbuf sb = STRBUF_INIT;
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		if (cokernel_step(vm, "get status", NULL, (char *[]){ "ihkosctl", "0", "get",
				  "status", NULL }, &sb, e) < 0) {
			strbuf_release(&sb);
			return -1;
		}
		if (strstr(sb.buf, "RUNNING")) {
			strbuf_release(&sb);
			return 0;
		}
		if (strstr(sb.buf, "PANIC") || strstr(sb.buf, "HUNGUP")) {
			dv_errf(e, IHK ": the OS instance reports %.*s after boot", (int)strcspn(sb.buf, "\n"),
				sb.buf);
			strbuf_release(&sb);
			return -1;
		}
		strbuf_release(&sb);
		nanosleep(&ts, NULL);
	}
	return dv_errf(e, IHK ": the OS instance is not RUNNING 10 s after boot");
}

static int
boot_instance(struct vm *vm, const char *cpus, const char *mem, struct dv_err *e)
{
	struct undo destroy = { .argv = (char *[]){ "ihkconfig", "0", "destroy", "0", NULL } };

	if (host_exists("/dev/mcos0"))
		return dv_errf(e, IHK ": an OS instance /dev/mcos0 exists already; diver "
			       "leaves it alone (ihkconfig 0 destroy 0 removes it)");
	if (cokernel_step(vm, "create an OS instance", &destroy,
			  (char *[]){ "ihkconfig", "0", "create", NULL }, NULL, e) < 0 ||
	    cokernel_step(vm, "assign cpus", NULL, (char *[]){ "ihkosctl", "0", "assign",
			  "cpu", (char *)cpus, NULL }, NULL, e) < 0 ||
	    cokernel_step(vm, "assign memory", NULL, (char *[]){ "ihkosctl", "0", "assign",
			  "mem", (char *)mem, NULL }, NULL, e) < 0 ||
	    cokernel_step(vm, "load the image", NULL, (char *[]){ "ihkosctl", "0", "load",
			  vm->image, NULL }, NULL, e) < 0 ||
	    cokernel_step(vm, "set kargs", NULL, (char *[]){ "ihkosctl", "0", "kargs",
			  vm->cmdline, NULL }, NULL, e) < 0 ||
	    cokernel_step(vm, "boot", NULL, (char *[]){ "ihkosctl", "0", "boot", NULL },
			  NULL, e) < 0)
		return -1;
	return wait_running(vm, e);
}

static struct vm *
ihk_start(const struct home *h, const struct net *n, const struct dive_opts *o,
	  struct dv_err *e)
{
	struct cpulist online = { 0 }, cpus = { 0 };
	char *list = NULL, *mem = ihk_mem_format(o->mem_mib, 0);
	struct vm *vm = NULL;
	int rc = -1;

	if (ihk_probe(o, e) < 0 || cokernel_online_cpus(&online, e) < 0 ||
	    cpus_choose(&online, o->cpus, &cpus, e) < 0 ||
	    !(vm = cokernel_begin(h, n, o, "ihk", e)))
		goto out;
	list = cpulist_format(&cpus);
	vm->log_argv = xcalloc(5, sizeof *vm->log_argv);
	vm->log_argv[0] = xstrdup("ihkosctl");
	vm->log_argv[1] = xstrdup("0");
	vm->log_argv[2] = xstrdup("kmsg");
	if (load_module(vm, "ihk.ko", "ihk", NULL, e) < 0 ||
	    load_module(vm, "ihk-smp-x86_64.ko", "ihk_smp_x86_64", "ihk_ikc_irq_core=0", e) < 0 ||
	    reserve(vm, "mem", mem, e) < 0 || reserve(vm, "cpu", list, e) < 0 ||
	    load_module(vm, "mcctrl.ko", "mcctrl", NULL, e) < 0 ||
	    boot_instance(vm, list, mem, e) < 0 ||
	    cokernel_attach(vm, (char *[]){ "mcexec", "0", (char *)vm->app, NULL }, e) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && vm) {
		cokernel_abort(vm, e);
		vm = NULL;
	}
	cpulist_release(&online);
	cpulist_release(&cpus);
	free(list);
	free(mem);
	return vm;
}

const struct backend backend_ihk = {
	.name = "ihk",
	.mode = "hw",
	.probe = ihk_probe,
	.start = ihk_start,
	.wait = cokernel_wait,
	.stop = cokernel_stop,
};
