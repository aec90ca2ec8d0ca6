/*
 * chan — the host side of the shared-memory channel (interface "shm-ring-1",
 * docs/kernel-interface.md §2a): the console's fast path and splitvm's
 * delegation mailbox, in a region at the top of the guest's RAM.
 *
 * Owns: the RAM file QEMU maps as the guest's memory (an unlinked file in
 * /dev/shm, $XDG_RUNTIME_DIR or /tmp, handed to QEMU as an inherited
 * descriptor, so nothing is left behind however diver ends), the region's
 * layout and its initialisation, and the thread that moves stdin into the
 * guest's ring, its stdout ring onto diver's stdout and serves the mailbox.
 * Does not own QEMU, COM1 or the exit status (backend_qemu.c), nor what a
 * delegated call does (delegate.c: chan only carries its bytes).
 *
 * Both sides poll.  The thread spins for a moment after the last thing it
 * moved, then sleeps in poll(2) with host_sleeping set; the guest kicks it
 * by sending FF 04 on COM1, which the backend passes on with chan_kick.
 * The other way the thread sends FF 04 on COM1 when the guest has said it
 * halts (guest_waiting), so that neither side burns a core while idle.
 */
#ifndef DIVER_CHAN_H
#define DIVER_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The layout, version 1 (offsets from the start of the region). */
#define CHAN_MAGIC 0x31435644u          /* "DVC1" */
#define CHAN_VERSION 1u
#define CHAN_SIZE (4u << 20)            /* the region: the top 4 MiB of RAM */
#define CHAN_RING_SIZE (1u << 20)       /* stdout and stdin rings */
#define CHAN_MBOX_SIZE (512u << 10)     /* request and response buffers */
#define CHAN_OUT_OFF 0x1000u
#define CHAN_IN_OFF (CHAN_OUT_OFF + CHAN_RING_SIZE)
#define CHAN_REQ_OFF (CHAN_IN_OFF + CHAN_RING_SIZE)
#define CHAN_RESP_OFF (CHAN_REQ_OFF + CHAN_MBOX_SIZE)
#define CHAN_MAX_MEM_MIB 2048           /* RAM that microvm maps at 0 in one piece */

/* Header fields: u32 each, one per 64-byte line (who writes it). */
enum chan_field {
	CHAN_F_MAGIC = 0x000,           /* host, before boot */
	CHAN_F_VERSION = 0x004,
	CHAN_F_SIZE = 0x008,
	CHAN_F_FLAGS = 0x00c,           /* host: CHAN_FLAG_* */
	CHAN_F_OUT_OFF = 0x010, CHAN_F_OUT_SIZE = 0x014,
	CHAN_F_IN_OFF = 0x018, CHAN_F_IN_SIZE = 0x01c,
	CHAN_F_REQ_OFF = 0x020, CHAN_F_RESP_OFF = 0x024, CHAN_F_MBOX_SIZE = 0x028,
	CHAN_F_OUT_HEAD = 0x040,        /* guest: bytes of stdout written */
	CHAN_F_OUT_TAIL = 0x080,        /* host: bytes of stdout taken */
	CHAN_F_IN_HEAD = 0x0c0,         /* host: bytes of stdin written */
	CHAN_F_IN_TAIL = 0x100,         /* guest: bytes of stdin taken */
	CHAN_F_IN_EOF = 0x140,          /* host: 1 = no stdin beyond IN_HEAD */
	CHAN_F_GUEST_WAITING = 0x180,   /* guest: 1 while it halts; host kicks */
	CHAN_F_HOST_SLEEPING = 0x1c0,   /* host: 1 while it sleeps; guest kicks */
	CHAN_F_GUEST_STATE = 0x200,     /* guest: 1 once it uses the channel */
	CHAN_F_REQ_SEQ = 0x240,         /* guest: requests posted */
	CHAN_F_REQ_LEN = 0x244,
	CHAN_F_RESP_SEQ = 0x280,        /* host: requests answered */
	CHAN_F_RESP_LEN = 0x284,
};

#define CHAN_FLAG_DELEGATION 1u         /* the mailbox is served (splitvm) */

/*
 * A delegated call: req (n bytes, as the guest wrote it) in, at most cap
 * bytes of response out; returns the response's length.  It must answer
 * every request, bad ones with an error response.
 */
typedef size_t (*chan_serve_fn)(void *ctx, const unsigned char *req, size_t n,
				unsigned char *resp, size_t cap);

struct chan;

/* The RAM file of mem_mib MiB with the region initialised at its top. */
struct chan *chan_new(long mem_mib, struct dv_err *e);
void chan_free(struct chan *c);         /* stops the thread first; NULL is fine */
int chan_ram_fd(const struct chan *c);  /* what QEMU maps (mem-path=/dev/fd/N) */
uint32_t chan_guest_address(const struct chan *c);   /* for chan=0x... */
/* Serve the mailbox with fn (before chan_start). */
void chan_set_delegate(struct chan *c, chan_serve_fn fn, void *ctx);
/* Host CPUs the thread runs on (NULL: any). */
void chan_set_cpus(struct chan *c, const void *cpu_set, size_t size);

/*
 * Start the thread: stdin from in_fd into the guest, the guest's stdout to
 * out_fd, kicks for the guest written to kick_fd (COM1's input).
 */
int chan_start(struct chan *c, int in_fd, int out_fd, int kick_fd, struct dv_err *e);
void chan_kick(struct chan *c);         /* the guest sent FF 04 */
/* Readable when the thread has news for the backend (chan_broken). */
int chan_event_fd(const struct chan *c);
bool chan_broken(const struct chan *c);         /* out_fd's reader went away */
bool chan_attached(const struct chan *c);       /* the guest uses the channel */
/* The guest is gone: take the rest of its stdout, end the thread. */
void chan_finish(struct chan *c);
/* Delegated calls served so far. */
unsigned long chan_calls(const struct chan *c);

#endif
