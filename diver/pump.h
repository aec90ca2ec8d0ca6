/*
 * pump — the console loop every dive backend runs while its net is up
 * (backend_qemu.c, backend_libvirt.c, cokernel.c): one poll over the
 * signalfd, the guest's console output and input, the app's stdin and the
 * kernel log, with --timeout and, when grace_s is set, a grace for a
 * framed guest that sent its exit frame to end by itself; and the first
 * half of the exit status, the same everywhere.
 *
 * Owns: the loop's buffers and state (signo, timed_out, the deadlines);
 * the guest's output and the log descriptor at their end (closed, and -1
 * through the pointers it holds).
 * Does not own: the other descriptors and the console (the backend's),
 * how the VM's end is seen (hooks.child on SIGCHLD, or the backend's loop
 * condition) and how the VM is stopped (hooks.stop).  The caller loops on
 * pump_once until its own end condition holds.
 */
#ifndef DIVER_PUMP_H
#define DIVER_PUMP_H

#include <stdbool.h>

#include "console.h"
#include "err.h"
#include "strbuf.h"

#define PUMP_CHUNK 65536

struct pump;

/* What a backend does its own way; any may be NULL. */
struct pump_hooks {
	/* stop the VM now: a timeout, a signal, stdout gone */
	void (*stop)(struct pump *p);
	/* SIGCHLD came: see whether the VM ended (then set guest_gone) */
	void (*child)(struct pump *p);
	/* the guest sent FF 04 (console.kicked, cleared before the call) */
	void (*kick)(struct pump *p);
	/* one more descriptor to poll for input (or -1), and its handler */
	int (*extra_fd)(struct pump *p);
	void (*on_extra)(struct pump *p);
};

struct pump {
	const struct pump_hooks *hooks;
	void *ctx;                  /* the backend's own */
	struct console *con;
	int sigfd;
	int *from_guest, *to_guest; /* the console's ends (may be one socket) */
	int *log_in;                /* the kernel log, or NULL */
	int log_out;                /* where its whole lines go */
	struct strbuf *logline;     /* its unfinished line */
	char **panic;               /* receives Linux's panic message, or NULL */
	bool stdin_open;            /* false: stdin is not read at all */
	bool guest_gone;            /* the VM ended: nothing more goes to it */
	double timeout;             /* --timeout, 0 = none */
	double grace_s;             /* after a framed exit frame, 0 = none */
	int signo;                  /* the signal that ended the dive, or 0 */
	bool timed_out;
	/* set by pump_start */
	double deadline, grace;
	bool grace_over;
	unsigned char *buf, *out;
};

/* The deadline and the buffers; pump_release frees them. */
void pump_start(struct pump *p);
void pump_release(struct pump *p);
/* One poll and what it found ready. */
void pump_once(struct pump *p);
/* Read one signal from sigfd: SIGCHLD to hooks.child, others end the dive. */
void pump_signal(struct pump *p);
/*
 * Timed out: 124; a signal: 128 + n (SIGPIPE silently); the console's exit
 * frame: its status.  Errors say "...; STOPPED" (e.g. "the VM was
 * stopped").  Returns 0 or -1 when decided, 1 when the backend decides.
 */
int pump_exit_status(const struct pump *p, const char *stopped, int *status,
		     struct dv_err *e);

#endif
