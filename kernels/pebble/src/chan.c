/*
 * chan.c — the guest side of the shared-memory channel "shm-ring-1"
 * (docs/kernel-interface.md §2a): a region at the top of RAM, named by the
 * kernel option chan=0xADDR, holding the stdout and stdin rings and the
 * delegation mailbox.  The host laid the region out before boot; we check
 * it before a byte moves and keep to COM1 when it is not right.
 *
 * Ordering: x86 keeps stores in order and loads in order, so a compiler
 * barrier between the data and the index that publishes it is enough; a
 * locked add orders "I said I sleep" before "is there work" (Dekker).
 * Waiting spins first, then halts with guest_waiting set: the host kicks
 * us with FF 04 on COM1 (an interrupt).  We kick a sleeping host the same
 * way.
 */
#include <string.h>

#include "kernel.h"

#define CHAN_MAGIC 0x31435644u          /* "DVC1" */
#define CHAN_VERSION 1u
#define SPINS 20000                     /* pauses before halting */

enum {
	F_MAGIC = 0x000, F_VERSION = 0x004, F_SIZE = 0x008, F_FLAGS = 0x00c,
	F_OUT_OFF = 0x010, F_OUT_SIZE = 0x014, F_IN_OFF = 0x018, F_IN_SIZE = 0x01c,
	F_REQ_OFF = 0x020, F_RESP_OFF = 0x024, F_MBOX_SIZE = 0x028,
	F_OUT_HEAD = 0x040, F_OUT_TAIL = 0x080, F_IN_HEAD = 0x0c0, F_IN_TAIL = 0x100,
	F_IN_EOF = 0x140, F_GUEST_WAITING = 0x180, F_HOST_SLEEPING = 0x1c0,
	F_GUEST_STATE = 0x200, F_REQ_SEQ = 0x240, F_REQ_LEN = 0x244,
	F_RESP_SEQ = 0x280, F_RESP_LEN = 0x284,
};

static struct {
	volatile uint8_t *base;         /* NULL: no channel, COM1 only */
	uint32_t out_size, in_size, mbox_size;
	uint8_t *out, *in, *req, *resp;
} ch;

#define barrier() __asm__ volatile("" : : : "memory")

/*
 * Copies to and from the rings.  Under TCG, rep movsb moves one byte per
 * emulated iteration; 16-byte SSE moves, 64 bytes a turn, are several
 * times faster (docs/benchmarks.md), so they are used when SSE is on.
 */
static bool sse;

__attribute__((target("sse2"))) static void
copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (sse)
		for (; n >= 64; n -= 64, d += 64, s += 64)
			__asm__ volatile("movdqu (%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
					 "movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
					 "movdqu %%xmm0, (%1)\n\tmovdqu %%xmm1, 16(%1)\n\t"
					 "movdqu %%xmm2, 32(%1)\n\tmovdqu %%xmm3, 48(%1)"
					 : : "r"(s), "r"(d) : "memory", "xmm0", "xmm1", "xmm2", "xmm3");
	memcpy(d, s, n);
}

static volatile uint32_t *
field(unsigned f)
{
	return (volatile uint32_t *)(ch.base + f);
}

static void
full_fence(void)
{
	__asm__ volatile("lock; addl $0, (%%esp)" : : : "memory", "cc");
}

static void
kick_host(void)
{
	full_fence();
	if (*field(F_HOST_SLEEPING))
		pb_console_kick();
}

/* The chan= option's value, from the raw command line (no heap yet). */
static uintptr_t
option_address(const char *line)
{
	const char *p = line;
	uintptr_t a = 0;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (p[0] == '-' && p[1] == '-' && (p[2] == ' ' || !p[2]))
			return 0;               /* the app's arguments: not ours */
		if (!strncmp(p, "chan=0x", 7)) {
			for (p += 7; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
				a = a * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
			return (*p == ' ' || !*p) ? a : 0;
		}
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

static bool
ring_ok(uint32_t off, uint32_t size, uint32_t region)
{
	return size >= 4096 && !(size & (size - 1)) && off >= 4096 &&
	       off <= region && size <= region - off;
}

/* Does the host's header describe a region inside [low, top)? */
static bool
header_ok(uintptr_t a, uintptr_t low, uintptr_t top)
{
	volatile uint32_t *h = (volatile uint32_t *)a;
	uint32_t size;

	if (a & 4095 || a < low || a >= top)
		return false;
	size = h[F_SIZE / 4];
	if (h[F_MAGIC / 4] != CHAN_MAGIC || h[F_VERSION / 4] != CHAN_VERSION ||
	    size < 8192 || size > top - a)
		return false;
	return ring_ok(h[F_OUT_OFF / 4], h[F_OUT_SIZE / 4], size) &&
	       ring_ok(h[F_IN_OFF / 4], h[F_IN_SIZE / 4], size) &&
	       ring_ok(h[F_REQ_OFF / 4], h[F_MBOX_SIZE / 4], size) &&
	       ring_ok(h[F_RESP_OFF / 4], h[F_MBOX_SIZE / 4], size);
}

uintptr_t
pb_chan_init(const char *cmdline, uintptr_t low, uintptr_t top)
{
	uintptr_t a = option_address(cmdline);
	volatile uint8_t *b = (volatile uint8_t *)a;

	if (!a)
		return top;
	if (!header_ok(a, low, top)) {
		pb_klog(PB_LOG_NORMAL, "chan=%p: no channel there; using COM1", (void *)a);
		return top;
	}
	ch.base = b;
	sse = pb_cpu_sse();
	ch.out_size = *field(F_OUT_SIZE);
	ch.in_size = *field(F_IN_SIZE);
	ch.mbox_size = *field(F_MBOX_SIZE);
	ch.out = (uint8_t *)(a + *field(F_OUT_OFF));
	ch.in = (uint8_t *)(a + *field(F_IN_OFF));
	ch.req = (uint8_t *)(a + *field(F_REQ_OFF));
	ch.resp = (uint8_t *)(a + *field(F_RESP_OFF));
	*field(F_GUEST_STATE) = 1;
	return a;
}

bool
pb_chan_active(void)
{
	return ch.base != NULL;
}

bool
pb_chan_delegation(void)
{
	return ch.base && (*field(F_FLAGS) & 1);
}

/*
 * Wait until ready(): spin a while, then halt until the host kicks us (or
 * the timer ticks), having said so in guest_waiting.
 */
static void
wait_for(bool (*ready)(void))
{
	for (int i = 0; !ready(); i++) {
		if (i < SPINS) {
			__asm__ volatile("pause");
			continue;
		}
		pb_uart_discard_input(&pb_com1);    /* old kicks */
		*field(F_GUEST_WAITING) = 1;
		full_fence();
		if (!ready())
			pb_cpu_idle();
		*field(F_GUEST_WAITING) = 0;
		i = 0;
	}
}

static bool
out_has_room(void)
{
	return *field(F_OUT_HEAD) - *field(F_OUT_TAIL) < ch.out_size;
}

void
pb_chan_write(const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		uint32_t head = *field(F_OUT_HEAD), room, off, chunk;
		wait_for(out_has_room);
		room = ch.out_size - (head - *field(F_OUT_TAIL));
		off = head & (ch.out_size - 1);
		chunk = n < room ? (uint32_t)n : room;
		if (chunk > ch.out_size - off)
			chunk = ch.out_size - off;
		copy(ch.out + off, p, chunk);
		barrier();
		*field(F_OUT_HEAD) = head + chunk;
		kick_host();
		p += chunk;
		n -= chunk;
	}
}

static bool
in_ready(void)
{
	barrier();
	return *field(F_IN_EOF) || *field(F_IN_HEAD) != *field(F_IN_TAIL);
}

/* Like read(2) on a pipe: what has arrived, at least a byte, 0 at the end. */
long
pb_chan_read(void *buf, size_t n)
{
	uint32_t tail = *field(F_IN_TAIL), avail, off, chunk;

	if (!n)
		return 0;
	wait_for(in_ready);
	avail = *field(F_IN_HEAD) - tail;
	barrier();
	if (!avail)
		return 0;                       /* end of input, all of it read */
	if (avail > ch.in_size)
		avail = ch.in_size;             /* a host that lies */
	off = tail & (ch.in_size - 1);
	chunk = n < avail ? (uint32_t)n : avail;
	if (chunk > ch.in_size - off)
		chunk = ch.in_size - off;
	copy(buf, ch.in + off, chunk);
	barrier();
	*field(F_IN_TAIL) = tail + chunk;
	kick_host();
	return (long)chunk;
}

static uint32_t call_seq;

static bool
answered(void)
{
	barrier();
	return *field(F_RESP_SEQ) == call_seq;
}

long
pb_chan_call(const void *req, size_t n, void **resp)
{
	uint32_t len;

	if (!ch.base || n > ch.mbox_size)
		return -1;
	copy(ch.req, req, n);
	*field(F_REQ_LEN) = (uint32_t)n;
	barrier();
	*field(F_REQ_SEQ) = ++call_seq;
	kick_host();
	wait_for(answered);
	len = *field(F_RESP_LEN);
	*resp = ch.resp;
	return len > ch.mbox_size ? (long)ch.mbox_size : (long)len;
}

/* The transport of deleg.c, for an app linked with the kernel (pebble). */
bool
pb_deleg_available(void)
{
	return pb_chan_delegation();
}

long
pb_deleg_transport(const void *req, size_t n, void **resp)
{
	return pb_chan_call(req, n, resp);
}

/* EXIT (op 14): the delegate records the status; its answer carries nothing. */
void
pb_chan_forward_exit(int status)
{
	uint32_t req[6] = { 0x51525644u, 14, ++call_seq + 0x40000000u, 8, (uint32_t)status, 0 };
	void *resp;

	if (pb_chan_delegation())
		pb_chan_call(req, sizeof req, &resp);
}
