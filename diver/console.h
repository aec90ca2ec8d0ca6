/*
 * console — diver's side of the kernel console (docs/kernel-interface.md §2):
 * stdin is escaped and sent to the guest with an end-of-input frame when it
 * runs out; what the guest sends is unescaped onto stdout, and its exit
 * frame gives the app's status.  A raw console passes bytes through as they
 * are.  The console does no I/O itself: the backend's loop feeds it.
 */
#ifndef DIVER_CONSOLE_H
#define DIVER_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#define CONSOLE_ESC 0xff

struct console {
	bool framed;
	/* guest -> host decoder */
	int state;              /* 0 plain, 1 after ESC, 2 want status */
	bool have_status;
	int status;
	bool out_eof;
	bool ready;             /* the guest said it reads stdin (FF 03) */
	bool kicked;            /* FF 04: look at the shared-memory channel */
	/* raw console whose last bytes may be the exit frame FF 02 S (a
	 * Linux app): a possible frame is held back until more bytes show
	 * it was data, or the console ends with it */
	bool exit_frame;
	unsigned char hold[3];
	size_t nhold;
	/* host -> guest encoder: bytes waiting to be written to the guest */
	unsigned char *pending;
	size_t len, off, cap;
	bool in_eof_queued;
};

void console_init(struct console *c, bool framed);
void console_release(struct console *c);
/*
 * Decode n bytes from the guest into out (at most n bytes, or n + 3 with
 * console_expect_exit_frame); returns count.
 */
size_t console_decode(struct console *c, const unsigned char *in, size_t n,
		      unsigned char *out);
/*
 * A raw console that ends with the exit frame: its final FF 02 S gives
 * have_status, while those bytes anywhere else are stdout; and its first
 * FF 03 is the ready frame, before which no stdin is sent.
 */
void console_expect_exit_frame(struct console *c);
/*
 * The guest's output ended: held bytes that were not the final frame go
 * to out (at most 2); returns count.
 */
size_t console_finish(struct console *c, unsigned char *out);
/* Queue stdin bytes for the guest (escaped when framed). */
void console_queue_input(struct console *c, const unsigned char *in, size_t n);
/* Queue end of input (FF 01 when framed; nothing for a raw console). */
void console_queue_eof(struct console *c);
/*
 * Bytes waiting for the guest.  A framed guest gets nothing before its
 * ready frame: until then its UART may still be discarding input.
 */
size_t console_pending(const struct console *c);
/* Bytes queued, whether or not they may be sent yet. */
size_t console_queued(const struct console *c);
const unsigned char *console_pending_data(const struct console *c);
void console_consumed(struct console *c, size_t n);

#endif
