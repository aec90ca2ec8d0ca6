/*
 * backend_pisces.c — hw mode on Pisces (--via pisces): diver takes the
 * cores (cpuN/online) and a contiguous run of memory blocks
 * (memoryN/state, read back after every write: offlining can fail
 * silently) from Linux itself, then pisces_load creates the enclave with
 * the net's image and command line, pisces_launch boots it on the first
 * core and the memory run, pisces_add gives it the other cores, and
 * pisces_cons carries the console.  pisces_shutdown ends the enclave;
 * the journal puts every core and block back online (docs/hw-mode.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cokernel.h"
#include "fs.h"
#include "host.h"
#include "strbuf.h"

#define PISCES "Pisces"
#define MEMORY "/sys/devices/system/memory"

static const char *const pisces_tools[] = { "pisces_load", "pisces_launch", "pisces_add",
					    "pisces_cons", "pisces_shutdown", NULL };

static int
pisces_probe(const struct dive_opts *o, struct dv_err *e)
{
	(void)o;
	if (cokernel_need_path(PISCES, "/dev/pisces", "build Pisces and Kitten and "
			       "insmod pisces.ko (github.com/hobbes-hpc/pisces)", e) < 0)
		return -1;
	return cokernel_need_tools(PISCES, pisces_tools, "put Pisces's linux_usr "
				   "tools in PATH", e);
}

/* The memory blocks of the host, sorted by index. */
static int
list_blocks(struct memblock **out, size_t *n, struct dv_err *e)
{
	char *dir = host_path(MEMORY), **names = NULL;
	size_t count = 0;
	int rc = fs_list_dir(dir, &names, &count, e);

	*out = NULL;
	*n = 0;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		char path[128], buf[32];
		long idx;
		struct dv_err ignored;
		if (sscanf(names[i], "memory%ld", &idx) != 1 || idx < 0)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[*n].index = idx;
		snprintf(path, sizeof path, MEMORY "/memory%ld/state", idx);
		(*out)[*n].online = host_read_attr(path, buf, sizeof buf, &ignored) == 0 &&
				    !strcmp(buf, "online");
		snprintf(path, sizeof path, MEMORY "/memory%ld/removable", idx);
		(*out)[*n].removable = host_read_attr(path, buf, sizeof buf, &ignored) < 0 ||
				       strcmp(buf, "0");
		(*n)++;
	}
	/* fs_list_dir sorts by name: memory10 before memory2 */
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && (*out)[j - 1].index > (*out)[j].index; j--) {
			struct memblock t = (*out)[j];
			(*out)[j] = (*out)[j - 1];
			(*out)[j - 1] = t;
		}
	fs_names_free(names);
	free(dir);
	return rc;
}

struct plan {
	struct cpulist cpus;
	long first_block;       /* memoryN of the run's first block */
	size_t blocks;
	int enclave;
};

static int
choose(const struct dive_opts *o, struct plan *p, struct dv_err *e)
{
	struct cpulist online = { 0 };
	struct memblock *b = NULL;
	unsigned long long bs;
	size_t n = 0, first;
	char buf[64];
	int rc = -1;

	if (cokernel_online_cpus(&online, e) < 0 ||
	    cpus_choose(&online, o->cpus, &p->cpus, e) < 0 ||
	    host_read_attr(MEMORY "/block_size_bytes", buf, sizeof buf, e) < 0 ||
	    block_size_parse(buf, &bs, e) < 0 || list_blocks(&b, &n, e) < 0 ||
	    memblocks_choose(b, n, bs, o->mem_mib, &first, &p->blocks, e) < 0)
		goto out;
	p->first_block = b[first].index;
	/* the enclave pisces_load will create: the first free number */
	for (p->enclave = 0; p->enclave < 1000; p->enclave++) {
		char dev[64];
		snprintf(dev, sizeof dev, "/dev/pisces-enclave%d", p->enclave);
		if (!host_exists(dev))
			break;
	}
	rc = 0;
out:
	cpulist_release(&online);
	free(b);
	return rc;
}

static int
offline_memory(struct vm *vm, const struct plan *p, struct dv_err *e)
{
	for (size_t i = 0; i < p->blocks; i++) {
		long idx = p->first_block + (long)i;
		char *path = xasprintf(MEMORY "/memory%ld/state", idx);
		char *what = xasprintf("take memory%ld from Linux", idx);
		int rc = cokernel_write(vm, what, path, "offline", "online", e);
		free(what);
		free(path);
		if (rc < 0)
			return dv_err_prefix(e, PISCES ": memory block memory%ld did not "
					     "go offline", idx);
	}
	return 0;
}

/* pisces_load prints "Enclave Created: N"; N must be the one journaled. */
static int
load(struct vm *vm, const struct net *n, const struct plan *p, struct dv_err *e)
{
	char id[16], *module = fs_join(n->dir, "module"), *want;
	struct undo u = { .argv = (char *[]){ "pisces_shutdown", id, NULL } };
	struct strbuf out = STRBUF_INIT;
	/* pisces_load takes a kernel and an init task: a link-model net is
	 * both at once; a module-model net's app is its init task */
	const char *init = fs_is_file(module) ? module : vm->image;
	int rc;

	snprintf(id, sizeof id, "%d", p->enclave);
	rc = cokernel_step(vm, "create the enclave", &u, (char *[]){ "pisces_load",
			   vm->image, (char *)init, vm->cmdline, NULL }, &out, e);
	want = xasprintf("Enclave Created: %d", p->enclave);
	if (rc == 0 && !strstr(out.buf, want))
		rc = dv_errf(e, PISCES ": pisces_load did not print '%s' (another "
			     "enclave was created at the same time?)", want);
	free(want);
	free(module);
	strbuf_release(&out);
	return rc;
}

static int
launch(struct vm *vm, const struct plan *p, struct dv_err *e)
{
	char dev[64], blk[32], nblk[32], cpu[16];

	snprintf(dev, sizeof dev, "/dev/pisces-enclave%d", p->enclave);
	snprintf(blk, sizeof blk, "%ld", p->first_block);
	snprintf(nblk, sizeof nblk, "%zu", p->blocks);
	snprintf(cpu, sizeof cpu, "%d", p->cpus.cpu[0]);
	if (cokernel_step(vm, "launch the enclave", NULL, (char *[]){ "pisces_launch",
			  "-b", blk, "-m", nblk, "-c", cpu, dev, NULL }, NULL, e) < 0)
		return -1;
	for (size_t i = 1; i < p->cpus.n; i++) {
		snprintf(cpu, sizeof cpu, "%d", p->cpus.cpu[i]);
		if (cokernel_step(vm, "add a core", NULL, (char *[]){ "pisces_add", "-c",
				  cpu, dev, NULL }, NULL, e) < 0)
			return -1;
	}
	return cokernel_attach(vm, (char *[]){ "pisces_cons", dev, NULL }, e);
}

static struct vm *
pisces_start(const struct home *h, const struct net *n, const struct dive_opts *o,
	     struct dv_err *e)
{
	struct plan p = { 0 };
	struct vm *vm = NULL;

	if (pisces_probe(o, e) < 0 || choose(o, &p, e) < 0 ||
	    !(vm = cokernel_begin(h, n, o, "pisces", e)))
		goto out;
	if (cokernel_offline_cpus(vm, &p.cpus, e) < 0 || offline_memory(vm, &p, e) < 0 ||
	    load(vm, n, &p, e) < 0 || launch(vm, &p, e) < 0) {
		cokernel_abort(vm, e);
		vm = NULL;
	}
out:
	cpulist_release(&p.cpus);
	return vm;
}

const struct backend backend_pisces = {
	.name = "pisces",
	.mode = "hw",
	.probe = pisces_probe,
	.start = pisces_start,
	.wait = cokernel_wait,
	.stop = cokernel_stop,
};
