/*
 * kernel.c — pebble's boot: check the multiboot hand-off, bring up the
 * UARTs and exception gates, give the memory above the kernel to the heap,
 * turn the command line into argv, run the app, and exit with its status.
 */
#include <pebble.h>
#include <stdint.h>
#include <stdio.h>

#include "kernel.h"

#define MULTIBOOT_MAGIC 0x2BADB002
#define MB_INFO_MEMORY 0x001
#define MB_INFO_CMDLINE 0x004

struct multiboot_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
};

extern char _end[];
int main(int argc, char **argv);
void kernel_main(uint32_t magic, const struct multiboot_info *mbi);

const char *
pb_variant(void)
{
	return PEBBLE_VARIANT;
}

uint64_t
pb_ticks(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void
pb_log(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	(void)n;
	klog("app: %s", buf);
}

static uintptr_t
memory_top(const struct multiboot_info *mbi)
{
	/* mem_upper counts KiB above 1 MiB; keep below 3 GiB (no paging here) */
	uint64_t top = 0x100000 + (uint64_t)mbi->mem_upper * 1024;

	if (!(mbi->flags & MB_INFO_MEMORY))
		top = 16u << 20;
	return top > 0xc0000000u ? 0xc0000000u : (uintptr_t)top;
}

void
kernel_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmdline = NULL;
	uintptr_t top;
	char **argv;
	int argc;

	console_init();
	idt_init();
	if (magic != MULTIBOOT_MAGIC) {
		klog("not started by a multiboot loader (magic 0x%08x)", magic);
		kernel_exit(1);
	}
	top = memory_top(mbi);
	heap_init((uintptr_t)_end, top);
	if (mbi->flags & MB_INFO_CMDLINE)
		cmdline = (const char *)(uintptr_t)mbi->cmdline;
	klog("%s (%s) booted, %u KiB heap", PEBBLE_VERSION, PEBBLE_VARIANT,
	     (unsigned)(pb_heap_free() >> 10));
	DEBUG_LOG("multiboot flags 0x%x, mem_upper %u KiB, cmdline \"%s\"",
		  mbi->flags, mbi->mem_upper, cmdline ? cmdline : "");
	argc = cmdline_parse(cmdline, &argv);
	for (int i = 0; i < argc; i++)
		DEBUG_LOG("argv[%d] = \"%s\"", i, argv[i]);
	kernel_exit(main(argc, argv));
}
