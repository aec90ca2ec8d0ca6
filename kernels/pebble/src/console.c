/*
 * console.c — the console of docs/kernel-interface.md §2 (framed-uart-1):
 * stdout is buffered and escaped onto COM1, stdin unescaped from it until
 * the host's end-of-input frame; the exit frame carries the status.  COM2
 * carries the log.
 */
#include "kernel.h"

#include "io.h"
#include "uart.h"

#define ESC 0xff
#define OUTBUF 4096
#define DEBUG_EXIT_PORT 0xf4

static unsigned char outbuf[OUTBUF];
static size_t outlen;
static bool in_eof, in_esc;

void
console_init(void)
{
	uart_init(COM1);
	uart_init(COM2);
}

void
console_flush(void)
{
	for (size_t i = 0; i < outlen; i++) {
		uart_putc(COM1, outbuf[i]);
		if (outbuf[i] == ESC)
			uart_putc(COM1, 0x00);
	}
	outlen = 0;
}

void
console_out(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		if (outlen == OUTBUF)
			console_flush();
		outbuf[outlen++] = *b++;
	}
}

bool
console_in_eof(void)
{
	return in_eof;
}

/* One decoded stdin byte, or -1 at end of input. */
static int
in_byte(void)
{
	while (!in_eof) {
		unsigned char b = uart_getc(COM1);
		if (in_esc) {
			in_esc = false;
			if (b == 0x00)
				return ESC;
			if (b == 0x01)
				in_eof = true;
			continue;       /* other codes are reserved: ignored */
		}
		if (b == ESC) {
			in_esc = true;
			continue;
		}
		return b;
	}
	return -1;
}

long
console_in(void *p, size_t n)
{
	unsigned char *b = p;
	size_t got = 0;
	int c;

	console_flush();                /* a prompt shows before we wait */
	if (n == 0)
		return 0;
	/* block for the first byte, then take what is already there */
	while (got < n && (got == 0 || (uart_ready(COM1) && !in_eof))) {
		if ((c = in_byte()) < 0)
			break;
		b[got++] = (unsigned char)c;
	}
	return (long)got;
}

void
log_write(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		uart_putc(COM2, *b++);
}

static void
line_put(struct sink *s, char c)
{
	char *buf = s->arg;

	if (s->count < 200)
		buf[s->count] = c;
	s->count++;
}

void
klog(const char *fmt, ...)
{
	char buf[210] = "pebble: ";
	struct sink s = { line_put, 0, buf + 8 };
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	n = 8 + (s.count < 200 ? s.count : 200);
	buf[n++] = '\n';
	log_write(buf, n);
}

void
kernel_exit(int status)
{
	unsigned char frame[3] = { ESC, 0x02, (unsigned char)status };

	console_flush();
	for (int i = 0; i < 3; i++)
		uart_putc(COM1, frame[i]);
	uart_drain(COM1);
	klog("app exited with status %d", status & 0xff);
	uart_drain(COM2);
	outl(DEBUG_EXIT_PORT, (uint32_t)(status & 0xff));
	cpu_halt_forever();
}
