/*
 * hwplan — the pure logic of hw mode and the Palacios driver: no I/O, so
 * all of it is unit-tested (tests/unit/diver_hwplan_test.c).
 *
 * Owns: CPU lists as sysfs and the co-kernel tools write them ("1,3-5");
 * choosing which cores to take from Linux; IHK's memory argument
 * ("512M@0"); choosing memory blocks to offline (block_size_bytes in hex,
 * a contiguous run of online, removable blocks starting 2 MiB-aligned);
 * the Palacios VM configuration (XML) and the description of a Jailhouse
 * cell.  Does not own: reading or writing the host (host.h, backends).
 */
#ifndef DIVER_HWPLAN_H
#define DIVER_HWPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define HW_MAX_CPUS 4096

/* A sorted set of CPU numbers. */
struct cpulist {
	int *cpu;
	size_t n;
};

/* "1,3-5" (or "" for none) into l, sorted and without duplicates. */
int cpulist_parse(const char *s, struct cpulist *l, struct dv_err *e);
/* The shortest list form, "1,3-5"; caller frees. */
char *cpulist_format(const struct cpulist *l);
void cpulist_release(struct cpulist *l);

/*
 * want cores for a co-kernel out of the online ones: the highest-numbered,
 * never cpu0 (Linux keeps it).
 */
int cpus_choose(const struct cpulist *online, int want, struct cpulist *out,
		struct dv_err *e);

/* IHK's "SIZE@NUMA": "512M@0", "2G@1"; a missing "@NUMA" means node 0. */
int ihk_mem_parse(const char *s, long *mib, int *numa, struct dv_err *e);
char *ihk_mem_format(long mib, int numa);

/* A memory block as /sys/devices/system/memory/memoryN shows it. */
struct memblock {
	long index;
	bool online;            /* state reads "online" */
	bool removable;         /* removable reads 1, or is absent */
};

/* block_size_bytes: hex without "0x" (sysfs), or with it. */
int block_size_parse(const char *s, unsigned long long *size, struct dv_err *e);

/*
 * Enough blocks for mib MiB: the highest run of consecutive online,
 * removable blocks (never block 0) whose start is 2 MiB-aligned.  blocks
 * is sorted by index; *first is an index into it.
 */
int memblocks_choose(const struct memblock *blocks, size_t n,
		     unsigned long long block_size, long mib, size_t *first,
		     size_t *count, struct dv_err *e);

/* A Palacios guest with an HRT (docs/hw-mode.md "Palacios"). */
struct palacios_vm {
	long mem_mib;           /* all of the guest's memory */
	int cores;              /* all of its cores */
	int ros_cores;          /* cores [0, ros_cores) are the ROS's */
	long ros_mem_mib;       /* GPA [0, ros_mem) is the ROS's */
	const char *hrt_image;  /* the net's image */
	const char *cmdline;
};

/* The VM's XML configuration, for v3_create; caller frees. */
char *palacios_xml(const struct palacios_vm *vm);

/* The cell description diver hands `jailhouse cell create`; caller frees. */
char *jailhouse_cell_desc(const char *name, const struct cpulist *cpus,
			  long mem_mib);

#endif
