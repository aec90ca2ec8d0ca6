/*
 * The channel (diver/chan.c) without QEMU: the test maps the guest's RAM
 * file the way QEMU does and plays the guest's side of docs/kernel-
 * interface.md §2a — the header diver laid out, stdout and stdin through
 * the rings (more than a ring's size, end of input), the mailbox, and the
 * kick diver sends a guest that said it waits.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../../diver/chan.h"
#include "fs.h"
#include "harness.h"
#include "strbuf.h"

struct guest {
	struct chan *c;
	unsigned char *r;       /* the region, as the guest sees it */
};

static _Atomic uint32_t *
f(struct guest *g, unsigned off)
{
	return (_Atomic uint32_t *)(void *)(g->r + off);
}

static void
guest_open(struct guest *g, long mib)
{
	struct dv_err e;

	g->c = chan_new(mib, &e);
	CHECK(g->c != NULL);
	g->r = mmap(NULL, CHAN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    chan_ram_fd(g->c), (off_t)chan_guest_address(g->c));
	CHECK(g->r != MAP_FAILED);
}

static void
guest_close(struct guest *g)
{
	chan_free(g->c);
	munmap(g->r, CHAN_SIZE);
}

static void
pause_a_moment(void)
{
	struct timespec ts = { 0, 20000 };

	nanosleep(&ts, NULL);
}

/* A guest loop that has waited 10 s for diver is a failure, not a hang. */
static bool
stuck(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - since->tv_sec > 10;
}

static char *
scratch(const char *name)
{
	return fs_join(harness_tmpdir(), name);
}

static void
fill(unsigned char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)((i * 2654435761u + seed) >> 13);
}

TEST(chan_header_is_laid_out_at_the_top_of_ram)
{
	struct guest g;

	guest_open(&g, 64);
	CHECK(chan_guest_address(g.c) == (64u << 20) - CHAN_SIZE);
	CHECK(*f(&g, CHAN_F_MAGIC) == CHAN_MAGIC);
	CHECK(*f(&g, CHAN_F_VERSION) == CHAN_VERSION);
	CHECK(*f(&g, CHAN_F_SIZE) == CHAN_SIZE);
	CHECK(*f(&g, CHAN_F_OUT_OFF) == CHAN_OUT_OFF && *f(&g, CHAN_F_OUT_SIZE) == CHAN_RING_SIZE);
	CHECK(*f(&g, CHAN_F_IN_OFF) == CHAN_IN_OFF && *f(&g, CHAN_F_IN_SIZE) == CHAN_RING_SIZE);
	CHECK(*f(&g, CHAN_F_REQ_OFF) + CHAN_MBOX_SIZE <= *f(&g, CHAN_F_RESP_OFF));
	CHECK(*f(&g, CHAN_F_RESP_OFF) + CHAN_MBOX_SIZE <= CHAN_SIZE);
	CHECK(*f(&g, CHAN_F_FLAGS) == 0);
	CHECK(!chan_attached(g.c));
	*f(&g, CHAN_F_GUEST_STATE) = 1;
	CHECK(chan_attached(g.c));
	guest_close(&g);
}

TEST(chan_refuses_memory_it_cannot_map)
{
	struct dv_err e;

	CHECK(chan_new(8, &e) == NULL);
	CHECK_CONTAINS(e.msg, "needs 16M to 2048M of memory");
	CHECK(chan_new(4096, &e) == NULL);
}

/* 3 MiB of stdout (three rings' worth) written as a guest would. */
TEST(chan_stdout_ring_reaches_out_fd_in_order)
{
	size_t total = 3u << 20, done = 0;
	unsigned char *want = malloc(total);
	char *path = scratch("stdout");
	struct strbuf got = STRBUF_INIT;
	struct guest g;
	struct dv_err e;
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fill(want, total, 7);
	guest_open(&g, 32);
	struct timespec t0;

	CHECK(chan_start(g.c, -1, out, -1, &e) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < total && !stuck(&t0)) {
		uint32_t head = *f(&g, CHAN_F_OUT_HEAD), tail = *f(&g, CHAN_F_OUT_TAIL);
		uint32_t room = CHAN_RING_SIZE - (head - tail), off = head & (CHAN_RING_SIZE - 1);
		size_t n = total - done < 70000 ? total - done : 70000;
		if (n > room)
			n = room;
		if (n > CHAN_RING_SIZE - off)
			n = CHAN_RING_SIZE - off;
		if (!n) {
			pause_a_moment();
			continue;
		}
		memcpy(g.r + CHAN_OUT_OFF + off, want + done, n);
		atomic_store_explicit(f(&g, CHAN_F_OUT_HEAD), head + (uint32_t)n,
				      memory_order_release);
		done += n;
	}
	chan_finish(g.c);
	CHECK(fs_read_file(path, 16u << 20, &got, &e) == 0);
	CHECK(got.len == total && !memcmp(got.buf, want, total));
	CHECK(!chan_broken(g.c));
	guest_close(&g);
	close(out);
	strbuf_release(&got);
	free(path);
	free(want);
}

/* 2.5 MiB of stdin, then the end of input, read as a guest would. */
TEST(chan_stdin_ring_carries_input_then_its_end)
{
	size_t total = (5u << 20) / 2, got = 0;
	unsigned char *want = malloc(total), *have = malloc(total + 1);
	char *path = scratch("stdin");
	struct guest g;
	struct dv_err e;
	int in;

	fill(want, total, 3);
	CHECK(fs_write_atomic(path, want, total, 0600, &e) == 0);
	in = open(path, O_RDONLY);
	guest_open(&g, 32);
	struct timespec t0;

	CHECK(chan_start(g.c, in, -1, -1, &e) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stuck(&t0)) {
		uint32_t eof = atomic_load_explicit(f(&g, CHAN_F_IN_EOF), memory_order_acquire);
		uint32_t head = atomic_load_explicit(f(&g, CHAN_F_IN_HEAD), memory_order_acquire);
		uint32_t tail = *f(&g, CHAN_F_IN_TAIL), off = tail & (CHAN_RING_SIZE - 1);
		uint32_t n = head - tail;
		if (!n && eof)
			break;
		if (!n) {
			pause_a_moment();
			continue;
		}
		if (n > CHAN_RING_SIZE - off)
			n = CHAN_RING_SIZE - off;
		CHECK(got + n <= total);
		if (got + n > total)
			break;
		memcpy(have + got, g.r + CHAN_IN_OFF + off, n);
		got += n;
		atomic_store_explicit(f(&g, CHAN_F_IN_TAIL), tail + n, memory_order_release);
	}
	CHECK(got == total && !memcmp(have, want, total));
	chan_finish(g.c);
	guest_close(&g);
	close(in);
	free(path);
	free(want);
	free(have);
}

static size_t
reverse(void *ctx, const unsigned char *req, size_t n, unsigned char *resp, size_t cap)
{
	(void)ctx;
	for (size_t i = 0; i < n && i < cap; i++)
		resp[i] = req[n - 1 - i];
	return n;
}

TEST(chan_mailbox_answers_each_request_once)
{
	struct guest g;
	struct dv_err e;

	guest_open(&g, 16);
	chan_set_delegate(g.c, reverse, NULL);
	CHECK(*f(&g, CHAN_F_FLAGS) & CHAN_FLAG_DELEGATION);
	struct timespec t0;

	CHECK(chan_start(g.c, -1, -1, -1, &e) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t seq = 1; seq <= 100 && !stuck(&t0); seq++) {
		char req[32];
		int len = snprintf(req, sizeof req, "request %u", seq);
		memcpy(g.r + CHAN_REQ_OFF, req, (size_t)len);
		*f(&g, CHAN_F_REQ_LEN) = (uint32_t)len;
		atomic_store_explicit(f(&g, CHAN_F_REQ_SEQ), seq, memory_order_release);
		while (atomic_load_explicit(f(&g, CHAN_F_RESP_SEQ), memory_order_acquire) != seq &&
		       !stuck(&t0))
			;
		CHECK(*f(&g, CHAN_F_RESP_LEN) == (uint32_t)len);
		CHECK(g.r[CHAN_RESP_OFF] == (unsigned char)req[len - 1]);
		CHECK(g.r[CHAN_RESP_OFF + len - 1] == 'r');
	}
	CHECK(chan_calls(g.c) == 100);
	chan_finish(g.c);
	guest_close(&g);
}

/* A guest that said it halts is woken with FF 04 on COM1, once. */
TEST(chan_kicks_a_waiting_guest)
{
	int kick[2], out = open("/dev/null", O_WRONLY);
	unsigned char b[8];
	struct guest g;
	struct dv_err e;

	CHECK(pipe(kick) == 0);
	guest_open(&g, 16);
	CHECK(chan_start(g.c, -1, out, kick[1], &e) == 0);
	*f(&g, CHAN_F_GUEST_WAITING) = 1;
	memcpy(g.r + CHAN_OUT_OFF, "x", 1);
	atomic_store_explicit(f(&g, CHAN_F_OUT_HEAD), 1, memory_order_release);
	struct pollfd pfd = { kick[0], POLLIN, 0 };
	bool kicked = poll(&pfd, 1, 10000) == 1;
	CHECK(kicked);
	if (kicked)
		CHECK(read(kick[0], b, sizeof b) == 2 && b[0] == 0xff && b[1] == 0x04);
	CHECK(*f(&g, CHAN_F_GUEST_WAITING) == 0);
	chan_finish(g.c);
	guest_close(&g);
	close(kick[0]);
	close(kick[1]);
	close(out);
}
