/*
 * diver/console.c: the raw console of a Linux app — bytes as they are, the
 * first FF 03 is the ready frame, and only a final FF 02 S is the exit
 * status; the same bytes earlier, or split across reads, are stdout.
 */
#include <string.h>

#include "../../diver/console.h"
#include "harness.h"

/* Feed in, one read of `step` bytes at a time; out gets stdout. */
static size_t
feed(struct console *c, const char *in, size_t n, size_t step, unsigned char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += step)
		o += console_decode(c, (const unsigned char *)in + i,
				    n - i < step ? n - i : step, out + o);
	return o + console_finish(c, out + o);
}

static void
check(const char *in, size_t n, const char *want, size_t wn, int status)
{
	for (size_t step = 1; step <= n; step++) {
		struct console c;
		unsigned char out[64];
		size_t o;

		console_init(&c, false);
		console_expect_exit_frame(&c);
		o = feed(&c, in, n, step, out);
		CHECK(o == wn && memcmp(out, want, wn) == 0);
		CHECK(status < 0 ? !c.have_status : c.have_status && c.status == status);
		console_release(&c);
	}
}

TEST(final_exit_frame_is_the_status)
{
	check("hi\n\xff\x02\x2a", 6, "hi\n", 3, 42);
	check("\xff\x02\x00", 3, "", 0, 0);
}

TEST(frames_that_are_not_last_are_data)
{
	check("a\xff\x02\x05z", 5, "a\xff\x02\x05z", 5, -1);
	check("\xff\x02\x05\xff\x02\x07", 6, "\xff\x02\x05", 3, 7);
	check("\xff\xff\x02\x01", 4, "\xff", 1, 1);
	check("x\xff", 2, "x\xff", 2, -1);
	check("x\xff\x02", 3, "x\xff\x02", 3, -1);
}

TEST(first_ff03_is_ready_and_holds_stdin_until_then)
{
	struct console c;
	unsigned char out[16];

	console_init(&c, false);
	console_expect_exit_frame(&c);
	console_queue_input(&c, (const unsigned char *)"in", 2);
	CHECK(console_pending(&c) == 0);
	CHECK(console_decode(&c, (const unsigned char *)"\xff\x03" "a\xff\x03", 5, out) == 3);
	CHECK(memcmp(out, "a\xff\x03", 3) == 0);       /* a second FF 03 is data */
	CHECK(c.ready && console_pending(&c) == 2);
	console_release(&c);
}
