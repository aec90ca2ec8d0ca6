/* reef_loader.h — putting an app module (ELF32, i386, ET_EXEC) in place. */
#ifndef REEF_LOADER_H
#define REEF_LOADER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Copy the PT_LOAD segments of the ELF image at img (len bytes) to their
 * addresses, which must lie within [lo, hi), and zero their bss.  *entry
 * receives the entry point, *end the end of the highest segment.  -1 with
 * *why set when the image is not one reef can load.
 */
int reef_load(const void *img, size_t len, uintptr_t lo, uintptr_t hi,
	      uintptr_t *entry, uintptr_t *end, const char **why);

#endif
