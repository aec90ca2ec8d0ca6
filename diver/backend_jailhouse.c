/*
 * backend_jailhouse.c — hw mode on Jailhouse (--via jailhouse): enable
 * the hypervisor with the root cell's config (unless it runs already),
 * create a cell for the net's cores and memory (the Jailhouse driver takes
 * the cores from Linux with cpu_down), load the image with its command
 * line as a string, start the cell, check its state, and follow the
 * hypervisor console; then shut the cell down (a "running/locked" cell
 * needs a second call), destroy it, and disable Jailhouse if diver
 * enabled it (docs/hw-mode.md).  The cell config diver hands to "cell
 * create" is a description (hwplan.h), not Jailhouse's compiled format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cokernel.h"
#include "fs.h"
#include "host.h"
#include "strbuf.h"

#define JAILHOUSE "Jailhouse"
#define CELLS "/sys/devices/jailhouse/cells"

static const char *const jailhouse_tools[] = { "jailhouse", NULL };

static const char *
sysconfig(void)
{
	const char *c = getenv("DIVER_JAILHOUSE_SYSCONFIG");

	return c && *c ? c : "/etc/jailhouse/sysconfig.cell";
}

static bool
enabled(void)
{
	char buf[16];
	struct dv_err ignored;

	return host_read_attr("/sys/devices/jailhouse/enabled", buf, sizeof buf,
			      &ignored) == 0 && !strcmp(buf, "1");
}

static int
jailhouse_probe(const struct dive_opts *o, struct dv_err *e)
{
	(void)o;
	if (cokernel_need_path(JAILHOUSE, "/dev/jailhouse", "build Jailhouse and "
			       "insmod jailhouse.ko (github.com/siemens/jailhouse)", e) < 0 ||
	    cokernel_need_tools(JAILHOUSE, jailhouse_tools, "put Jailhouse's tools "
				"in PATH", e) < 0)
		return -1;
	if (!enabled() && !fs_is_file(sysconfig()))
		return dv_errf(e, JAILHOUSE ": no root cell config %s; make one with "
			       "'jailhouse config create' or set DIVER_JAILHOUSE_SYSCONFIG",
			       sysconfig());
	return 0;
}

/* cells/<id>/state of the cell called name, into buf. */
static int
cell_state(const char *name, char *buf, size_t len, struct dv_err *e)
{
	char *dir = host_path(CELLS), **ids = NULL;
	size_t n = 0;
	int rc = -1;

	if (fs_list_dir(dir, &ids, &n, e) == 0)
		for (size_t i = 0; i < n && rc < 0; i++) {
			char path[256], got[64];
			struct dv_err ignored;
			snprintf(path, sizeof path, CELLS "/%s/name", ids[i]);
			if (host_read_attr(path, got, sizeof got, &ignored) < 0 || strcmp(got, name))
				continue;
			snprintf(path, sizeof path, CELLS "/%s/state", ids[i]);
			rc = host_read_attr(path, buf, len, e);
		}
	if (rc < 0 && !e->msg[0])
		dv_errf(e, JAILHOUSE ": no cell '%s' in %s after 'cell create'", name, dir);
	fs_names_free(ids);
	free(dir);
	return rc;
}

static int
create_cell(struct vm *vm, const char *name, const struct cpulist *cpus, long mib,
	    struct dv_err *e)
{
	char *desc = jailhouse_cell_desc(name, cpus, mib);
	char *file = xasprintf("%s/%s.cell", vm->workdir, name);
	struct undo u = { .argv = (char *[]){ "jailhouse", "cell", "destroy", (char *)name,
					      NULL } };
	int rc = fs_write_atomic(file, desc, strlen(desc), 0644, e);

	if (rc == 0)
		rc = cokernel_step(vm, "create the cell", &u, (char *[]){ "jailhouse", "cell",
				   "create", file, NULL }, NULL, e);
	free(file);
	free(desc);
	return rc;
}

static int
run_cell(struct vm *vm, const char *name, struct dv_err *e)
{
	/* a locked cell refuses its first shutdown (Jailhouse's README) */
	struct undo u = { .argv = (char *[]){ "jailhouse", "cell", "shutdown", (char *)name,
					      NULL }, .retries = 3 };
	char state[64];

	if (cokernel_step(vm, "load the image", NULL, (char *[]){ "jailhouse", "cell", "load",
			  (char *)name, vm->image, "-s", vm->cmdline, "-a", "0x1000", NULL },
			  NULL, e) < 0 ||
	    cokernel_step(vm, "start the cell", &u, (char *[]){ "jailhouse", "cell", "start",
			  (char *)name, NULL }, NULL, e) < 0 ||
	    cell_state(name, state, sizeof state, e) < 0)
		return -1;
	if (strcmp(state, "running") && strcmp(state, "running/locked"))
		return dv_errf(e, JAILHOUSE ": cell '%s' is '%s' after 'cell start'", name, state);
	/* the hypervisor console is output only: the app gets no stdin */
	vm->pass_stdin = false;
	return cokernel_attach(vm, (char *[]){ "jailhouse", "console", "-f", NULL }, e);
}

static struct vm *
jailhouse_start(const struct home *h, const struct net *n, const struct dive_opts *o,
		struct dv_err *e)
{
	struct cpulist online = { 0 }, cpus = { 0 };
	struct undo disable = { .argv = (char *[]){ "jailhouse", "disable", NULL } };
	char name[32];
	struct vm *vm = NULL;

	snprintf(name, sizeof name, "diver-%.8s", n->id);
	if (jailhouse_probe(o, e) < 0 || cokernel_online_cpus(&online, e) < 0 ||
	    cpus_choose(&online, o->cpus, &cpus, e) < 0 ||
	    !(vm = cokernel_begin(h, n, o, "jailhouse", e)))
		goto out;
	if ((!enabled() && cokernel_step(vm, "enable Jailhouse", &disable, (char *[]){
				"jailhouse", "enable", (char *)sysconfig(), NULL }, NULL, e) < 0) ||
	    create_cell(vm, name, &cpus, o->mem_mib, e) < 0 || run_cell(vm, name, e) < 0) {
		cokernel_abort(vm, e);
		vm = NULL;
	}
out:
	cpulist_release(&online);
	cpulist_release(&cpus);
	return vm;
}

const struct backend backend_jailhouse = {
	.name = "jailhouse",
	.mode = "hw",
	.probe = jailhouse_probe,
	.start = jailhouse_start,
	.wait = cokernel_wait,
	.stop = cokernel_stop,
};
