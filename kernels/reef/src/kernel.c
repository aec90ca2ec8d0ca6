/*
 * kernel.c — reef: boot, then load the app module the boot loader brought
 * (the first multiboot module: an ELF32 executable linked with the kit) and
 * run it beside the kernel, giving it the console, the log, memory and the
 * way out through struct reef_abi.  The platform (boot, CPU, UARTs, the
 * framed console, the log, formatting, the command line, the heap) is the
 * code pebble uses too; what is reef's own is the module model: the kernel
 * image never changes, apps are built and loaded apart from it.
 */
#include <pebble.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "reef_abi.h"
#include "reef_loader.h"
#include "reef_version.h"

#define MIB (1024u * 1024u)

PB_NORETURN void pb_kernel_main(uint32_t magic, const struct multiboot_info *mbi);

static void (*app_flush)(void);
static uint64_t boot_ticks;

const char *
pb_variant(void)
{
	return REEF_VARIANT;
}

/* The app's stdout lives in the app: the kernel asks it to flush. */
void
pb_stdout_flush(void)
{
	void (*f)(void) = app_flush;

	app_flush = NULL;               /* a fault while flushing: not again */
	if (f)
		f();
	app_flush = f;
}

static long
k_write(int fd, const void *buf, size_t n)
{
	if (fd == 1)
		pb_console_write(buf, n);
	else if (fd == 2)
		pb_log_write(buf, n);
	else
		return -1;
	return (long)n;
}

static long
k_read(int fd, void *buf, size_t n)
{
	return fd == 0 ? pb_console_read(buf, n) : -1;
}

static void
k_set_flush(void (*flush)(void))
{
	app_flush = flush;
}

void
pb_kernel_main(uint32_t magic, const struct multiboot_info *mbi)
{
	static struct reef_abi abi;
	const struct multiboot_module *mod;
	const char *cmdline = NULL, *why = NULL, *argv0 = "app";
	uintptr_t kheap, top, entry, app_end;
	struct pb_cmdline cl;
	char **argv;

	boot_ticks = pb_ticks();
	pb_uart_init(&pb_com1, 0x3f8, true);
	pb_uart_init(&pb_com2, 0x2f8, false);
	pb_cpu_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		pb_panic(1, "not started by a multiboot loader (magic 0x%08x)", (unsigned)magic);
	if (!(mbi->flags & MB_INFO_MEMORY))
		pb_panic(1, "the boot loader gave no memory size");
	if (mbi->flags & MB_INFO_CMDLINE)
		cmdline = (const char *)(uintptr_t)mbi->cmdline;
	top = MIB + (uintptr_t)mbi->mem_upper * 1024;
	if (top > 0xfffff000u)
		top = 0xfffff000u;
	/* the channel's region, when there is one, is no one's heap */
	top = pb_chan_init(cmdline, REEF_APP_BASE, top);
	/* the kernel's heap: from the boot data up to where apps are linked */
	kheap = (pb_boot_data_end(mbi) + 4095) & ~(uintptr_t)4095;
	if (kheap + 64 * 1024 > REEF_APP_BASE)
		pb_panic(1, "the app module ends at %p, too close to %p where apps "
			 "are loaded: it is too large for reef", (void *)kheap,
			 (void *)REEF_APP_BASE);
	pb_heap_init(kheap, REEF_APP_BASE);
	if (pb_cmdline_split(cmdline, &cl) < 0)
		pb_panic(1, "cannot split the command line");
	for (int i = 0; i < cl.noptions; i++)
		pb_apply_option(cl.options[i], &argv0);
	argv = malloc((size_t)(cl.nargs + 2) * sizeof *argv);
	if (!argv)
		pb_panic(1, "no memory for %d arguments", cl.nargs);
	argv[0] = (char *)argv0;
	memcpy(argv + 1, cl.args, (size_t)(cl.nargs + 1) * sizeof *argv);

	if (!(mbi->flags & MB_INFO_MODULES) || mbi->mods_count < 1)
		pb_panic(1, "no app module: boot reef with the app as a multiboot "
			 "module (qemu -initrd app.elf; diver dive does this)");
	mod = (const void *)(uintptr_t)mbi->mods_addr;
	if (reef_load((const void *)(uintptr_t)mod->start, mod->end - mod->start,
		      REEF_APP_BASE, top, &entry, &app_end, &why) < 0)
		pb_panic(1, "cannot load the app module: %s", why);
	abi = (struct reef_abi){
		.magic = REEF_ABI_MAGIC, .version = REEF_ABI_VERSION,
		.write = k_write, .read = k_read, .exit = pb_exit,
		.set_flush = k_set_flush,
		.heap_start = (app_end + 4095) & ~(uintptr_t)4095, .heap_end = top,
		.variant = REEF_VARIANT, .kernel_version = REEF_VERSION, .ticks = pb_ticks,
		.deleg_call = pb_chan_call, .delegation = pb_chan_delegation(),
	};
	pb_klog(PB_LOG_NORMAL, "%s (%s) booted; app module of %u KiB at %p, "
		"%u MiB for it", REEF_VERSION, REEF_VARIANT,
		(unsigned)((mod->end - mod->start) / 1024), (void *)REEF_APP_BASE,
		(unsigned)((abi.heap_end - abi.heap_start) / MIB));
	((void (*)(const struct reef_abi *, int, char **))entry)(&abi, cl.nargs + 1, argv);
	pb_exit(0);
}

void
pb_exit(int status)
{
	static bool exiting;

	status &= 0xff;
	if (!exiting) {
		exiting = true;
		pb_stdout_flush();
		pb_klog(pb_log_enabled(PB_LOG_VERBOSE) ? PB_LOG_VERBOSE : PB_LOG_NORMAL,
			"app exited with status %d after %llu ticks", status,
			(unsigned long long)(pb_ticks() - boot_ticks));
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
