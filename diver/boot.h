/*
 * boot — what every vm-mode backend hands a kernel the same way: the
 * kernel command line (docs/kernel-interface.md §1, the app's arguments
 * encoded so that any byte but NUL arrives intact), the QEMU binary, and
 * the accelerator (--accel auto probes whether KVM is real and remembers
 * the answer).  backend_qemu.c and backend_libvirt.c share these so the
 * two backends cannot drift apart.
 */
#ifndef DIVER_BOOT_H
#define DIVER_BOOT_H

#include "backend.h"

/*
 * "argv0=APP -- ARG..." for the net's app; the caller frees it.  For a
 * Linux-boot net "console=ttyS1 quiet panic=-1 -- ARG..." instead, the
 * arguments in the kernel's own quoting (docs/kernel-interface.md §10).
 */
char *boot_cmdline(const struct net *n, const struct dive_opts *o);

/* The net's kernel boots by the Linux boot protocol (a bzImage). */
bool boot_is_linux(const struct net *n);
/* Debian's kernel cannot unpack itself in less memory (docs/kernel-interface.md §10). */
#define BOOT_LINUX_MIN_MIB 128L

/*
 * 0 when every argument can reach the app; for a Linux kernel, which has
 * no escapes, an argument with a double quote or a control byte, more
 * than 31 arguments or a command line over 2047 bytes cannot.
 */
int boot_check_args(const struct net *n, const struct dive_opts *o,
		    struct dv_err *e);

/* $DIVER_QEMU, else qemu-system-x86_64 (looked up in PATH by the caller). */
const char *boot_qemu_binary(void);

/*
 * want: NULL or "auto", "kvm", "tcg".  *accel becomes "kvm" or "tcg"; auto
 * says its choice once on stderr and remembers it in the cache of h.
 */
int boot_choose_accel(const struct home *h, const char *want, const char **accel,
		      struct dv_err *e);

#endif
