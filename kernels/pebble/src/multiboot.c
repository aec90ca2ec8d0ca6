/*
 * multiboot.c — what pebble and reef read of the multiboot v1 boot
 * information: where the boot loader's data ends (the heap starts beyond
 * it) and the kernel options of the command line (§1).
 */
#include <string.h>

#include "kernel.h"

extern char _end[];                     /* link.ld: end of the image, bss included */

static uintptr_t
max_address(uintptr_t a, uintptr_t b)
{
	return a > b ? a : b;
}

/*
 * QEMU puts the information structure, the command line and the modules
 * right after the image: the heap starts beyond all of them.
 */
uintptr_t
pb_boot_data_end(const struct multiboot_info *mbi)
{
	uintptr_t end = (uintptr_t)_end;

	end = max_address(end, (uintptr_t)mbi + sizeof *mbi);
	if (mbi->flags & MB_INFO_CMDLINE)
		end = max_address(end, mbi->cmdline + strlen((const char *)(uintptr_t)mbi->cmdline) + 1);
	if (mbi->flags & MB_INFO_MMAP)
		end = max_address(end, mbi->mmap_addr + mbi->mmap_length);
	if (mbi->flags & MB_INFO_MODULES) {
		const struct multiboot_module *m = (const void *)(uintptr_t)mbi->mods_addr;
		end = max_address(end, (uintptr_t)(m + mbi->mods_count));
		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			end = max_address(end, m[i].end);
			if (m[i].string)
				end = max_address(end, m[i].string +
						  strlen((const char *)(uintptr_t)m[i].string) + 1);
		}
	}
	return end;
}

void
pb_apply_option(const char *option, const char **argv0)
{
	if (!strncmp(option, "argv0=", 6))
		*argv0 = option + 6;
	else if (!strcmp(option, "log=quiet"))
		pb_log_set_level(PB_LOG_QUIET);
	else if (!strcmp(option, "log=normal"))
		pb_log_set_level(PB_LOG_NORMAL);
	else if (!strcmp(option, "log=verbose"))
		pb_log_set_level(PB_LOG_VERBOSE);
}

