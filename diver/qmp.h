/*
 * qmp — the little of QEMU's machine protocol (QMP) splitvm needs: the
 * handshake, the thread ids of the vCPUs (query-cpus-fast), and commands
 * without results (cont).  Owns reading QMP's replies line by line, events
 * skipped, with a time limit; does not own the socket (backend_qemu.c makes
 * it and hands QEMU the other end with -chardev socket,fd=N).
 *
 * Also the placement of splitvm's threads: each vCPU on a host core of its
 * own and the delegate on the rest, when diver's cores are enough for that.
 */
#ifndef DIVER_QMP_H
#define DIVER_QMP_H

#include <sched.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Read the greeting and leave capabilities negotiation mode. */
int qmp_handshake(int fd, struct dv_err *e);
/* A command with no arguments; 0 when QEMU answered "return". */
int qmp_execute(int fd, const char *command, struct dv_err *e);
/*
 * Send a command without waiting for its answer ("cont": the guest may run
 * to its end and QEMU exit before the answer leaves it).
 */
int qmp_send(int fd, const char *command, struct dv_err *e);
/* Thread ids of the vCPUs, by cpu-index; *tids is malloc'ed. */
int qmp_vcpu_threads(int fd, pid_t **tids, size_t *n, struct dv_err *e);

/*
 * Pin vCPU thread i to the (n - nvcpus + i)-th of diver's allowed cores
 * and give the rest to *others (the delegate).  0 when pinned; 1 when
 * there are not more cores than vCPUs (nothing changed, *others = all).
 */
int qmp_pin_vcpus(const pid_t *tids, size_t nvcpus, cpu_set_t *others,
		  struct dv_err *e);

#endif
