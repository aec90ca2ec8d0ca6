/*
 * console.c — COM1 speaking framed-uart-1 (docs/kernel-interface.md §2).
 * The byte 0xFF is the escape in both directions: we send a stdout 0xFF as
 * FF 00 and the exit status as FF 02 S; the host sends a stdin 0xFF as
 * FF 00 and the end of input as FF 01.  Buffering is stdio's business:
 * this file sees bytes only when they must move.
 */
#include "kernel.h"

enum {
	ESC = 0xff,
	ESC_BYTE = 0x00,        /* FF 00: the byte 0xFF itself */
	ESC_END = 0x01,         /* FF 01: end of stdin (or of stdout) */
	ESC_EXIT = 0x02,        /* FF 02 S: exit status S */
	ESC_READY = 0x03,       /* FF 03: we read stdin from now on */
	ESC_KICK = 0x04,        /* FF 04: look at the shared-memory channel */
};

static struct {
	bool ended;             /* FF 01 seen, or no COM1 at all */
	bool escaped;           /* FF seen, its code byte not yet */
	bool ready_sent;
} in;

void
pb_console_write(const void *buf, size_t n)
{
	const uint8_t *p = buf;

	if (pb_chan_active()) {
		pb_chan_write(buf, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		pb_uart_putc(&pb_com1, p[i]);
		if (p[i] == ESC)
			pb_uart_putc(&pb_com1, ESC_BYTE);
	}
}

/* Decode one received byte: returns it, or -1 when it carried no data. */
static int
decode(uint8_t b)
{
	if (!in.escaped) {
		in.escaped = b == ESC;
		return in.escaped ? -1 : b;
	}
	in.escaped = false;
	if (b == ESC_BYTE)
		return ESC;
	if (b == ESC_END)
		in.ended = true;
	return -1;              /* end of input, or a reserved code: ignored */
}

/*
 * Like read(2) on a pipe: wait for the first byte, then take whatever has
 * already arrived, so an interactive app sees each line as it comes.
 */
long
pb_console_read(void *buf, size_t n)
{
	uint8_t *p = buf;
	size_t got = 0;

	if (pb_chan_active())
		return pb_chan_read(buf, n);
	if (!pb_com1.present)
		in.ended = true;
	if (!in.ready_sent && !in.ended) {
		uint8_t ready[2] = { ESC, ESC_READY };
		for (int i = 0; i < 2; i++)
			pb_uart_putc(&pb_com1, ready[i]);
		in.ready_sent = true;
	}
	while (got < n && !in.ended) {
		int c;
		if (got > 0 && !in.escaped && !pb_uart_rx_ready(&pb_com1))
			break;
		c = decode(pb_uart_getc(&pb_com1));
		if (c >= 0)
			p[got++] = (uint8_t)c;
	}
	return (long)got;
}

void
pb_console_exit_frame(int status)
{
	uint8_t frame[3] = { ESC, ESC_EXIT, (uint8_t)status };

	for (int i = 0; i < 3; i++)
		pb_uart_putc(&pb_com1, frame[i]);
	/* the frame must be on the wire before the machine goes away */
	pb_uart_drain(&pb_com1);
}

void
pb_console_kick(void)
{
	pb_uart_putc(&pb_com1, ESC);
	pb_uart_putc(&pb_com1, ESC_KICK);
}
