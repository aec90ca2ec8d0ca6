/*
 * backend — how a net is deployed.  One file per backend (backend_qemu.c,
 * later libvirt and the co-kernel drivers), one row in the table of
 * cmd_dive.c: adding a backend means adding both and nothing else.
 */
#ifndef DIVER_BACKEND_H
#define DIVER_BACKEND_H

#include <stdbool.h>

#include "delegate.h"
#include "diver.h"

struct dive_opts {
	const char *mode;       /* vm | splitvm | hw */
	const char *via;        /* backend name, NULL = the mode's default */
	const char *accel;      /* auto | kvm | tcg */
	int cpus;
	long mem_mib;
	double timeout;         /* seconds, 0 = none */
	const char *log_path;   /* kernel log (COM2) to this file, else stderr */
	bool dry_run;           /* print what would run, run nothing */
	int gdb_port;           /* stop at entry and wait for gdb here; 0 = no */
	const char *console;    /* auto | uart | fast (the shared-memory channel) */
	char **args;            /* the app's arguments */
	int nargs;
	/*
	 * splitvm: what the kernel's delegated calls may reach — pass it to
	 * delegate_new().  cmd_dive fills it from --share (default: the
	 * working directory, read-only) and --env, checked, and frees it.
	 */
	struct delegate_config delegate;
};

/* "64M", "2G" (MiB, GiB) into MiB; -1 when it is not such a size. */
int parse_size_mib(const char *s, long *mib);

struct vm;                      /* a running instance; backend-private */

struct backend {
	const char *name;
	const char *mode;
	/* 0 when this host can run the backend; else why not, and the fix. */
	int (*probe)(const struct dive_opts *o, struct dv_err *e);
	struct vm *(*start)(const struct home *h, const struct net *n,
			    const struct dive_opts *o, struct dv_err *e);
	/* Stream the console until the net ends; *status is the app's status. */
	int (*wait)(struct vm *vm, int *status, struct dv_err *e);
	/* Stop (if running) and free everything, on every exit path. */
	void (*stop)(struct vm *vm);
};

extern const struct backend backend_qemu;
extern const struct backend backend_qemu_splitvm;      /* delegate in diver */
/* hw mode (docs/hw-mode.md) */
extern const struct backend backend_ihk;
extern const struct backend backend_pisces;
extern const struct backend backend_jailhouse;
/* splitvm on Palacios (docs/hw-mode.md) */
extern const struct backend backend_palacios;
extern const struct backend backend_libvirt;

#endif
