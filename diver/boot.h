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

/* "argv0=APP -- ARG..." for the net's app; the caller frees it. */
char *boot_cmdline(const struct net *n, const struct dive_opts *o);

/* $DIVER_QEMU, else qemu-system-x86_64 (looked up in PATH by the caller). */
const char *boot_qemu_binary(void);

/*
 * want: NULL or "auto", "kvm", "tcg".  *accel becomes "kvm" or "tcg"; auto
 * says its choice once on stderr and remembers it in the cache of h.
 */
int boot_choose_accel(const struct home *h, const char *want, const char **accel,
		      struct dv_err *e);

#endif
