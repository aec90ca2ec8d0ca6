/*
 * reef_abi.h — the one interface between reef and an app module: the
 * kernel loads the app's ELF and calls its entry point,
 *
 *     void reef_start(const struct reef_abi *abi, int argc, char **argv);
 *
 * and the app does everything else (stdio, malloc, ...) in its own copy of
 * the C library (the kit's libreef.a), calling the kernel only through
 * this table.  Both sides check magic and version.
 */
#ifndef REEF_ABI_H
#define REEF_ABI_H

#include <stddef.h>
#include <stdint.h>

#define REEF_ABI_MAGIC 0x52454546u      /* "REEF" */
#define REEF_ABI_VERSION 2              /* 2: delegation (0.3.0) */
#define REEF_APP_BASE 0x01000000u       /* where app modules are linked (16 MiB) */

struct reef_abi {
	uint32_t magic, version;
	/* fd 1: the console (framed, binary-safe); fd 2: the kernel log */
	long (*write)(int fd, const void *buf, size_t n);
	/* fd 0: the console's input; 0 at its end */
	long (*read)(int fd, void *buf, size_t n);
	/* ends the run with status; the kernel first calls the flush below */
	void (*exit)(int status) __attribute__((noreturn));
	/* the app tells the kernel how to flush its stdout (crashes, exit) */
	void (*set_flush)(void (*flush)(void));
	uintptr_t heap_start, heap_end;         /* memory the app may use */
	const char *variant;                    /* the kernel's variant */
	const char *kernel_version;             /* the kernel's version */
	uint64_t (*ticks)(void);                /* time-stamp counter */
	/* splitvm: one delegated call (docs/kernel-interface.md §8) */
	long (*deleg_call)(const void *req, size_t n, void **resp);
	int delegation;                         /* 1 when diver serves them */
};

#endif
