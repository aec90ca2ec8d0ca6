/*
 * hwplan.c — CPU lists, core and memory-block choice, IHK's size@numa,
 * the Palacios XML and the Jailhouse cell description.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hwplan.h"
#include "strbuf.h"

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void
cpulist_add(struct cpulist *l, int cpu)
{
	l->cpu = xrealloc(l->cpu, (l->n + 1) * sizeof *l->cpu);
	l->cpu[l->n++] = cpu;
}

static void
cpulist_sort(struct cpulist *l)
{
	size_t out = 0;

	if (l->n > 1)
		qsort(l->cpu, l->n, sizeof *l->cpu, cmp_int);
	for (size_t i = 0; i < l->n; i++)
		if (!out || l->cpu[out - 1] != l->cpu[i])
			l->cpu[out++] = l->cpu[i];
	l->n = out;
}

static int
cpu_number(const char **p, int *cpu)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v >= HW_MAX_CPUS)
		return -1;
	*cpu = (int)v;
	*p = end;
	return 0;
}

int
cpulist_parse(const char *s, struct cpulist *l, struct dv_err *e)
{
	const char *p = s;

	l->cpu = NULL;
	l->n = 0;
	while (*p && *p != '\n') {
		int lo, hi;
		if (cpu_number(&p, &lo) < 0)
			goto bad;
		hi = lo;
		if (*p == '-' && (p++, cpu_number(&p, &hi) < 0 || hi < lo))
			goto bad;
		for (int c = lo; c <= hi; c++)
			cpulist_add(l, c);
		if (*p == ',' && p[1] && p[1] != '\n')
			p++;
		else if (*p && *p != '\n')
			goto bad;
	}
	cpulist_sort(l);
	return 0;
bad:
	cpulist_release(l);
	return dv_errf(e, "CPU list '%s': expected numbers and ranges below %d "
		       "like 1,3-5", s, HW_MAX_CPUS);
}

char *
cpulist_format(const struct cpulist *l)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < l->n; i++) {
		size_t j = i;
		while (j + 1 < l->n && l->cpu[j + 1] == l->cpu[j] + 1)
			j++;
		strbuf_addf(&sb, "%s%d", sb.len ? "," : "", l->cpu[i]);
		if (j > i)
			strbuf_addf(&sb, "-%d", l->cpu[j]);
		i = j;
	}
	return strbuf_detach(&sb, NULL);
}

void
cpulist_release(struct cpulist *l)
{
	free(l->cpu);
	l->cpu = NULL;
	l->n = 0;
}

int
cpus_choose(const struct cpulist *online, int want, struct cpulist *out,
	    struct dv_err *e)
{
	size_t spare = online->n && online->cpu[0] == 0 ? online->n - 1 : online->n;
	char *list;

	out->cpu = NULL;
	out->n = 0;
	if (want < 1 || (size_t)want > spare) {
		list = cpulist_format(online);
		dv_errf(e, "-c %d: this host has %zu core%s to give a co-kernel "
			"(online: %s; cpu0 stays with Linux); ask for fewer",
			want, spare, spare == 1 ? "" : "s", *list ? list : "none");
		free(list);
		return -1;
	}
	for (size_t i = online->n - (size_t)want; i < online->n; i++)
		cpulist_add(out, online->cpu[i]);
	return 0;
}

int
ihk_mem_parse(const char *s, long *mib, int *numa, struct dv_err *e)
{
	char *end;
	double v;
	long node = 0;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isdigit((unsigned char)*s))
		goto bad;
	if (*end == 'G' || *end == 'g')
		v *= 1024;
	else if (*end != 'M' && *end != 'm')
		goto bad;
	end++;
	if (*end == '@') {
		const char *n = end + 1;
		if (!isdigit((unsigned char)*n))
			goto bad;
		node = strtol(n, &end, 10);
		if (node > 1023)
			goto bad;
	}
	if (*end || v < 1 || v > (1 << 24) || v != (double)(long)v)
		goto bad;
	*mib = (long)v;
	*numa = (int)node;
	return 0;
bad:
	return dv_errf(e, "IHK memory '%s': expected SIZE@NUMA like 512M@0 or 2G@1", s);
}

char *
ihk_mem_format(long mib, int numa)
{
	if (mib % 1024 == 0)
		return xasprintf("%ldG@%d", mib / 1024, numa);
	return xasprintf("%ldM@%d", mib, numa);
}

int
block_size_parse(const char *s, unsigned long long *size, struct dv_err *e)
{
	const char *p = strncmp(s, "0x", 2) ? s : s + 2;
	char *end;

	errno = 0;
	*size = strtoull(p, &end, 16);
	if (errno || end == p || (*end && *end != '\n') || !*size ||
	    (*size & (*size - 1)))
		return dv_errf(e, "memory block size '%s': expected a power of two "
			       "in hex like 8000000", s);
	return 0;
}

#define TWO_MIB (2ULL << 20)

static bool
usable(const struct memblock *b)
{
	return b->index > 0 && b->online && b->removable;
}

int
memblocks_choose(const struct memblock *blocks, size_t n,
		 unsigned long long block_size, long mib, size_t *first,
		 size_t *count, struct dv_err *e)
{
	size_t want = (size_t)(((unsigned long long)mib << 20) / block_size +
			       ((((unsigned long long)mib << 20) % block_size) != 0));

	for (size_t end = n; end >= want && want; end--) {
		size_t start = end - want, i;
		unsigned long long addr = (unsigned long long)blocks[start].index * block_size;
		for (i = start; i < end; i++)
			if (!usable(&blocks[i]) ||
			    (i > start && blocks[i].index != blocks[i - 1].index + 1))
				break;
		if (i == end && addr % TWO_MIB == 0) {
			*first = start;
			*count = want;
			return 0;
		}
	}
	return dv_errf(e, "-m %ldM: no run of %zu contiguous online, removable "
		       "memory block%s of %llu MiB here; ask for less memory",
		       mib, want, want == 1 ? "" : "s", block_size >> 20);
}

static void
xml_attr(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&apos;"); break;
		default: strbuf_addch(sb, *s);
		}
}

char *
palacios_xml(const struct palacios_vm *vm)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "<vm class=\"PC\">\n");
	strbuf_addf(&sb, "  <memory alignment=\"2MB\">%ld</memory>\n", vm->mem_mib);
	strbuf_addf(&sb, "  <cores count=\"%d\">", vm->cores);
	for (int i = 0; i < vm->cores; i++)
		strbuf_addstr(&sb, "<core/>");
	strbuf_addstr(&sb, "</cores>\n  <files>\n    <file id=\"hrtelf\" filename=\"");
	xml_attr(&sb, vm->hrt_image);
	strbuf_addstr(&sb, "\"/>\n  </files>\n  <hvm enable=\"y\">\n");
	strbuf_addf(&sb, "    <ros cores=\"%d\" mem=\"%ld\"/>\n", vm->ros_cores,
		    vm->ros_mem_mib);
	strbuf_addstr(&sb, "    <hrt file_id=\"hrtelf\" cmdline=\"");
	xml_attr(&sb, vm->cmdline);
	strbuf_addstr(&sb, "\"/>\n  </hvm>\n</vm>\n");
	return strbuf_detach(&sb, NULL);
}

char *
jailhouse_cell_desc(const char *name, const struct cpulist *cpus, long mem_mib)
{
	char *list = cpulist_format(cpus);
	char *s = xasprintf("# a diver cell description, not Jailhouse's binary "
			    "format (docs/hw-mode.md)\nname=%s\ncpus=%s\nmemory=%ldM\n",
			    name, list, mem_mib);

	free(list);
	return s;
}
