/*
 * kernel.c — from the boot loader to the app and back out: bring up the
 * UARTs and the CPU, give the memory above the image and the boot loader's
 * data to the heap, turn the command line into argv, run main, and end the
 * run with its status (docs/kernel-interface.md §4).
 */
#include <pebble.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

#define MIB (1024u * 1024u)

struct boot {
	const struct multiboot_info *mbi;      /* NULL without a multiboot loader */
	const char *cmdline;
	uintptr_t heap_start, heap_end;
	char **options;                         /* KEY=VALUE from the command line */
	int noptions;
	int argc;
	char **argv;
};

extern char _end[];                     /* link.ld: end of the image, bss included */
int main(int argc, char **argv);
PB_NORETURN void pb_kernel_main(uint32_t magic, const struct multiboot_info *mbi);

static uint64_t boot_ticks;

const char *
pb_variant(void)
{
	return PEBBLE_VARIANT;
}

static void
memory_init(struct boot *b)
{
	uint64_t top;

	b->heap_start = b->mbi ? pb_boot_data_end(b->mbi) : (uintptr_t)_end;
	b->heap_start = (b->heap_start + 4095) & ~(uintptr_t)4095;
	if (!b->mbi || !(b->mbi->flags & MB_INFO_MEMORY))
		return;                                 /* no heap we can trust */
	top = MIB + (uint64_t)b->mbi->mem_upper * 1024;
	/* the last page of the 32-bit space stays out of reach of pointer math */
	b->heap_end = top > 0xfffff000u ? 0xfffff000u : (uintptr_t)top;
	/* the channel's region, when there is one, is not the heap's */
	b->heap_end = pb_chan_init(b->cmdline, b->heap_start, b->heap_end);
	if (b->heap_end > b->heap_start)
		pb_heap_init(b->heap_start, b->heap_end);
}

/* Options and argv from the command line; without a heap, just argv[0]. */
static void
arguments_init(struct boot *b)
{
	static char *fallback[2] = { "app", NULL };
	const char *argv0 = "app";
	struct pb_cmdline cl;

	b->argc = 1;
	b->argv = fallback;
	if (pb_cmdline_split(b->cmdline, &cl) < 0)
		return;
	b->options = cl.options;
	b->noptions = cl.noptions;
	for (int i = 0; i < cl.noptions; i++)
		pb_apply_option(cl.options[i], &argv0);
	/* the args end with NULL already; argv[0] goes in front of them */
	b->argv = malloc((size_t)(cl.nargs + 2) * sizeof *b->argv);
	if (!b->argv)
		pb_panic(1, "no memory for %d arguments", cl.nargs);
	b->argv[0] = (char *)argv0;
	memcpy(b->argv + 1, cl.args, (size_t)(cl.nargs + 1) * sizeof *b->argv);
	b->argc = cl.nargs + 1;
}

static void
log_boot(const struct boot *b)
{
	size_t heap = pb_heap_size();

	if (heap >= 10 * MIB)
		pb_klog(PB_LOG_NORMAL, "%s (%s) booted, %u MiB heap", PEBBLE_VERSION,
			PEBBLE_VARIANT, (unsigned)(heap / MIB));
	else
		pb_klog(PB_LOG_NORMAL, "%s (%s) booted, %u KiB heap", PEBBLE_VERSION,
			PEBBLE_VARIANT, (unsigned)(heap / 1024));
	if (!pb_log_enabled(PB_LOG_VERBOSE))
		return;
	if (b->mbi)
		pb_klog(PB_LOG_VERBOSE, "multiboot flags 0x%x, mem_lower %u KiB, mem_upper %u KiB",
			(unsigned)b->mbi->flags, (unsigned)b->mbi->mem_lower,
			(unsigned)b->mbi->mem_upper);
	pb_klog(PB_LOG_VERBOSE, "image 0x00100000-%p, heap %p-%p", (void *)_end,
		(void *)b->heap_start, (void *)b->heap_end);
	pb_klog(PB_LOG_VERBOSE, "cmdline \"%s\"", b->cmdline ? b->cmdline : "");
	pb_klog(PB_LOG_VERBOSE, "COM1 %s, COM2 %s", pb_com1.present ? "present" : "absent",
		pb_com2.present ? "present" : "absent");
	for (int i = 0; i < b->noptions; i++)
		pb_klog(PB_LOG_VERBOSE, "option %s", b->options[i]);
	for (int i = 0; i < b->argc; i++)
		pb_klog(PB_LOG_VERBOSE, "argv[%d] = \"%s\"", i, b->argv[i]);
}

void
pb_kernel_main(uint32_t magic, const struct multiboot_info *mbi)
{
	struct boot b = { 0 };

	boot_ticks = pb_ticks();
	pb_uart_init(&pb_com1, 0x3f8, true);
	pb_uart_init(&pb_com2, 0x2f8, false);
	pb_cpu_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		pb_panic(1, "not started by a multiboot loader (magic 0x%08x)", (unsigned)magic);
	b.mbi = mbi;
	if (mbi->flags & MB_INFO_CMDLINE)
		b.cmdline = (const char *)(uintptr_t)mbi->cmdline;
	memory_init(&b);
	arguments_init(&b);
	log_boot(&b);
	exit(main(b.argc, b.argv));
}

void
pb_exit(int status)
{
	static bool exiting;

	status &= 0xff;
	if (!exiting) {
		/* a fault while flushing comes back here: skip to the frame then */
		exiting = true;
		pb_stdout_flush();
		if (pb_log_enabled(PB_LOG_VERBOSE))
			pb_klog(PB_LOG_VERBOSE, "app exited with status %d after %llu ticks, "
				"%u KiB of heap free", status, pb_ticks() - boot_ticks,
				(unsigned)(pb_heap_free() / 1024));
		else
			pb_klog(PB_LOG_NORMAL, "app exited with status %d", status);
	}
	pb_chan_forward_exit(status);
	pb_uart_drain(&pb_com2);
	pb_console_exit_frame(status);
	pb_cpu_poweroff(status);
}

void
pb_panic(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pb_vklog(PB_LOG_QUIET, fmt, ap);
	va_end(ap);
	pb_exit(status);
}
