/*
 * loader.c — the app module's ELF32 program headers, checked before a byte
 * moves: the module is untrusted input as far as the kernel's memory goes.
 */
#include <stdbool.h>
#include <string.h>

#include "reef_loader.h"

#define PT_LOAD 1
#define ET_EXEC 2
#define EM_386 3

struct elf32_ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

int
reef_load(const void *img, size_t len, uintptr_t lo, uintptr_t hi,
	  uintptr_t *entry, uintptr_t *end, const char **why)
{
	const struct elf32_ehdr *eh = img;
	const unsigned char *bytes = img;
	bool entry_ok = false;
	int loads = 0;

	*end = lo;
	if (len < sizeof *eh || memcmp(eh->ident, "\177ELF", 4))
		return *why = "not an ELF file", -1;
	if (eh->ident[4] != 1 || eh->ident[5] != 1)
		return *why = "not a 32-bit little-endian ELF file", -1;
	if (eh->type != ET_EXEC || eh->machine != EM_386)
		return *why = "not an i386 executable (build it with the reef kit)", -1;
	if (eh->phentsize != sizeof(struct elf32_phdr) || eh->phnum == 0 ||
	    eh->phoff > len || eh->phnum > (len - eh->phoff) / sizeof(struct elf32_phdr))
		return *why = "its program headers are damaged", -1;
	/* check everything first, then copy */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < eh->phnum; i++) {
			const struct elf32_phdr *ph =
				(const void *)(bytes + eh->phoff + i * sizeof *ph);
			if (ph->type != PT_LOAD || ph->memsz == 0)
				continue;
			if (pass == 1) {
				memcpy((void *)(uintptr_t)ph->vaddr, bytes + ph->offset, ph->filesz);
				memset((void *)(uintptr_t)(ph->vaddr + ph->filesz), 0,
				       ph->memsz - ph->filesz);
				continue;
			}
			if (ph->filesz > ph->memsz || ph->offset > len ||
			    ph->filesz > len - ph->offset)
				return *why = "a segment lies outside the file", -1;
			if (ph->vaddr < lo || ph->memsz > hi - lo || ph->vaddr - lo > hi - lo - ph->memsz)
				return *why = "a segment lies outside the app's memory "
					      "(is the app linked with the reef kit's app.ld?)", -1;
			if (eh->entry >= ph->vaddr && eh->entry - ph->vaddr < ph->memsz)
				entry_ok = true;
			if (ph->vaddr + ph->memsz > *end)
				*end = ph->vaddr + ph->memsz;
			loads++;
		}
		if (pass == 0 && (!loads || !entry_ok))
			return *why = loads ? "its entry point is not in a loaded segment"
					    : "it has nothing to load", -1;
	}
	*entry = eh->entry;
	return 0;
}
