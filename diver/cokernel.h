/*
 * cokernel — what the co-kernel backends (backend_ihk.c, backend_pisces.c,
 * backend_jailhouse.c, backend_palacios.c) do the same way.
 *
 * Owns: the dive's undo journal (journal.h) and its signals: SIGINT,
 * SIGTERM and SIGHUP are held from the first step to the last undo, so a
 * signal at any point ends the dive through the same unwinding as a
 * failure; each reservation step (a tool run or a sysfs write) journaled
 * before it happens; a work directory for generated files; the console
 * tool that carries the app's stdin and stdout (framed, console.h), with
 * --timeout, through pump.h's loop; the exit status.  Each backend only
 * says which steps, in which order, with which undo.
 * Does not own: the steps themselves; the console loop (pump.h).
 */
#ifndef DIVER_COKERNEL_H
#define DIVER_COKERNEL_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "backend.h"
#include "console.h"
#include "hwplan.h"
#include "journal.h"
#include "strbuf.h"

struct vm {
	struct journal *j;
	char *workdir;          /* generated files (cell description, VM XML) */
	char *image;            /* the net's image */
	char *cmdline;          /* its command line (boot.h) */
	const char *app;        /* the app's name */
	sigset_t oldmask;
	int sigfd;
	int signo;              /* the signal that ended the dive, or 0 */
	pid_t console_pid;
	int to_guest, from_guest;
	bool pass_stdin;
	struct console con;
	double timeout;
	const char *log_path;
	char **log_argv;        /* prints the kernel log after the run, or NULL */
	void *priv;             /* the backend's own */
};

/* Hold the signals, make the work directory and open the journal. */
struct vm *cokernel_begin(const struct home *h, const struct net *n,
			  const struct dive_opts *o, const char *backend,
			  struct dv_err *e);
/*
 * One step: journal its undo (u may be NULL: nothing to undo), run argv
 * (its stdout into out when not NULL), mark it done.  Fails, without
 * running it, when a signal came in.
 */
int cokernel_step(struct vm *vm, const char *what, const struct undo *u,
		  char *const argv[], struct strbuf *out, struct dv_err *e);
/* Write value to a host attribute, with read-back; the undo writes back. */
int cokernel_write(struct vm *vm, const char *what, const char *path,
		   const char *value, const char *undo_value, struct dv_err *e);
/* Take cpus from Linux through cpuN/online, journaled, with read-back. */
int cokernel_offline_cpus(struct vm *vm, const struct cpulist *cpus,
			  struct dv_err *e);
/* The host's online CPUs (cpuN/online; cpu0 has none and is online). */
int cokernel_online_cpus(struct cpulist *l, struct dv_err *e);
/* A failure in start: undo what was taken, say so, free vm. */
void cokernel_abort(struct vm *vm, struct dv_err *e);
/* Start the console tool; the app's stdin goes to it when pass_stdin. */
int cokernel_attach(struct vm *vm, char *const argv[], struct dv_err *e);
/* backend->wait: the console until the exit frame, a timeout or a signal. */
int cokernel_wait(struct vm *vm, int *status, struct dv_err *e);
/* backend->stop: unwind the journal (saying so when it cannot), free. */
void cokernel_stop(struct vm *vm);
/* 0 when every tool is in PATH, else which is missing. */
int cokernel_need_tools(const char *system, const char *const *tools,
			const char *fix, struct dv_err *e);
/* 0 when the host has path (under DIVER_SYSROOT). */
int cokernel_need_path(const char *system, const char *path, const char *fix,
		       struct dv_err *e);

#endif
