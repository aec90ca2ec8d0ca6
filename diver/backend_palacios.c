/*
 * backend_palacios.c — splitvm on Palacios (--via palacios): the net's
 * image is the HRT of an HVM guest (Multiverse style), next to a ROS on
 * the guest's first core and memory.  v3_mem gives Palacios the memory
 * (hot-removed from Linux, its list kept in the work directory, where
 * "v3_mem -r offline" finds it again), v3_create builds the guest from
 * the XML diver renders (hwplan.h), v3_launch starts it and v3_cons_sc
 * carries its console; v3_stop, v3_free and v3_mem -r undo them, from
 * the journal (docs/hw-mode.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cokernel.h"
#include "fs.h"
#include "host.h"
#include "strbuf.h"

#define PALACIOS "Palacios"
#define ROS_MEM_MIB 64

static const char *const palacios_tools[] = { "v3_mem", "v3_create", "v3_launch",
					      "v3_cons_sc", "v3_stop", "v3_free", NULL };

static int
palacios_probe(const struct dive_opts *o, struct dv_err *e)
{
	(void)o;
	if (cokernel_need_path(PALACIOS, "/dev/v3vee", "build Palacios and insmod "
			       "v3vee.ko (github.com/PeterDinda/palacios)", e) < 0)
		return -1;
	return cokernel_need_tools(PALACIOS, palacios_tools, "put Palacios's "
				   "linux_usr tools in PATH", e);
}

static int
give_memory(struct vm *vm, long mib, struct dv_err *e)
{
	char mb[32];
	struct undo u = { .argv = (char *[]){ "v3_mem", "-r", "offline", NULL },
			  .cwd = vm->workdir };

	snprintf(mb, sizeof mb, "%ld", mib);
	return cokernel_step(vm, "give Palacios memory", &u, (char *[]){ "v3_mem", "-a",
			     mb, NULL }, NULL, e);
}

/* v3_create prints "VM (NAME) created at /dev/v3-vmN"; N is journaled first. */
static int
create_vm(struct vm *vm, const char *name, const struct palacios_vm *pv, int idx,
	  struct dv_err *e)
{
	char *xml = palacios_xml(pv), *file = xasprintf("%s/vm.xml", vm->workdir);
	char id[16], *want = xasprintf("created at /dev/v3-vm%d", idx);
	struct undo u = { .argv = (char *[]){ "v3_free", id, NULL } };
	struct strbuf out = STRBUF_INIT;
	int rc;

	snprintf(id, sizeof id, "%d", idx);
	rc = fs_write_atomic(file, xml, strlen(xml), 0644, e);
	if (rc == 0)
		rc = cokernel_step(vm, "create the VM", &u, (char *[]){ "v3_create", "-b",
				   file, (char *)name, NULL }, &out, e);
	if (rc == 0 && !strstr(out.buf, want))
		rc = dv_errf(e, PALACIOS ": v3_create did not say '%s' (another VM was "
			     "created at the same time?)", want);
	strbuf_release(&out);
	free(want);
	free(file);
	free(xml);
	return rc;
}

static int
launch(struct vm *vm, int idx, struct dv_err *e)
{
	char dev[32];
	struct undo u = { .argv = (char *[]){ "v3_stop", dev, NULL } };

	snprintf(dev, sizeof dev, "/dev/v3-vm%d", idx);
	if (cokernel_step(vm, "launch the VM", &u, (char *[]){ "v3_launch", dev, NULL },
			  NULL, e) < 0)
		return -1;
	return cokernel_attach(vm, (char *[]){ "v3_cons_sc", dev, NULL }, e);
}

static struct vm *
palacios_start(const struct home *h, const struct net *n, const struct dive_opts *o,
	       struct dv_err *e)
{
	struct palacios_vm pv = { o->mem_mib + ROS_MEM_MIB, o->cpus + 1, 1, ROS_MEM_MIB,
				  NULL, NULL };
	char name[32];
	struct vm *vm;
	int idx = 0;

	if (palacios_probe(o, e) < 0 || !(vm = cokernel_begin(h, n, o, "palacios", e)))
		return NULL;
	pv.hrt_image = vm->image;
	pv.cmdline = vm->cmdline;
	snprintf(name, sizeof name, "diver-%.8s", n->id);
	while (idx < 1000) {
		char dev[32];
		snprintf(dev, sizeof dev, "/dev/v3-vm%d", idx);
		if (!host_exists(dev))
			break;
		idx++;
	}
	if (give_memory(vm, pv.mem_mib, e) < 0 || create_vm(vm, name, &pv, idx, e) < 0 ||
	    launch(vm, idx, e) < 0) {
		cokernel_abort(vm, e);
		return NULL;
	}
	return vm;
}

const struct backend backend_palacios = {
	.name = "palacios",
	.mode = "splitvm",
	.probe = palacios_probe,
	.start = palacios_start,
	.wait = cokernel_wait,
	.stop = cokernel_stop,
};
