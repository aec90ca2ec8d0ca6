#include "console.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void
console_init(struct console *c, bool framed)
{
	memset(c, 0, sizeof *c);
	c->framed = framed;
}

size_t
console_queued(const struct console *c)
{
	return c->len - c->off;
}

void
console_release(struct console *c)
{
	free(c->pending);
	memset(c, 0, sizeof *c);
}

void
console_expect_exit_frame(struct console *c)
{
	c->exit_frame = true;
}

/* Give the held bytes to out as data. */
static size_t
release_held(struct console *c, unsigned char *out)
{
	size_t n = c->nhold;

	memcpy(out, c->hold, n);
	c->nhold = 0;
	c->have_status = false;
	return n;
}

/* Raw bytes, but the first FF 03 is the ready frame and a trailing FF 02 S
 * the exit status. */
static size_t
decode_raw_exit(struct console *c, const unsigned char *in, size_t n,
		unsigned char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char b = in[i];
		if (c->nhold == 3)              /* more after a frame: it was data */
			o += release_held(c, out + o);
		if ((c->nhold == 0 && b == CONSOLE_ESC) || (c->nhold == 1 && b == 0x02) ||
		    c->nhold == 2) {
			c->hold[c->nhold++] = b;
			c->have_status = c->nhold == 3;
			c->status = b;
			continue;
		}
		if (c->nhold == 1 && b == 0x03 && !c->ready) {
			c->ready = true;        /* the first FF 03: stdin may come */
			c->nhold = 0;
			continue;
		}
		o += release_held(c, out + o);
		if (b == CONSOLE_ESC)
			c->hold[c->nhold++] = b;
		else
			out[o++] = b;
	}
	return o;
}

size_t
console_finish(struct console *c, unsigned char *out)
{
	return c->exit_frame && c->nhold < 3 ? release_held(c, out) : 0;
}

size_t
console_decode(struct console *c, const unsigned char *in, size_t n,
	       unsigned char *out)
{
	size_t o = 0;

	if (!c->framed && c->exit_frame)
		return decode_raw_exit(c, in, n, out);
	if (!c->framed) {
		memcpy(out, in, n);
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char b = in[i];
		if (c->state == 2) {
			c->status = b;
			c->have_status = true;
			c->state = 0;
		} else if (c->state == 1) {
			c->state = 0;
			if (b == 0x00)
				out[o++] = CONSOLE_ESC;
			else if (b == 0x01)
				c->out_eof = true;
			else if (b == 0x02)
				c->state = 2;
			else if (b == 0x03)
				c->ready = true;
			else if (b == 0x04)
				c->kicked = true;
			/* reserved codes carry nothing */
		} else if (b == CONSOLE_ESC) {
			c->state = 1;
		} else if (!c->out_eof) {
			out[o++] = b;
		}
	}
	return o;
}

static void
make_room(struct console *c, size_t n)
{
	if (c->off && c->off == c->len)
		c->off = c->len = 0;
	if (c->len + n <= c->cap)
		return;
	if (c->off) {
		memmove(c->pending, c->pending + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	while (c->len + n > c->cap)
		c->cap = c->cap ? c->cap * 2 : 65536;
	c->pending = xrealloc(c->pending, c->cap);
}

void
console_queue_input(struct console *c, const unsigned char *in, size_t n)
{
	make_room(c, 2 * n);
	for (size_t i = 0; i < n; i++) {
		c->pending[c->len++] = in[i];
		if (c->framed && in[i] == CONSOLE_ESC)
			c->pending[c->len++] = 0x00;
	}
}

void
console_queue_eof(struct console *c)
{
	if (c->in_eof_queued)
		return;
	c->in_eof_queued = true;
	if (!c->framed)
		return;
	make_room(c, 2);
	c->pending[c->len++] = CONSOLE_ESC;
	c->pending[c->len++] = 0x01;
}

size_t
console_pending(const struct console *c)
{
	if ((c->framed || c->exit_frame) && !c->ready)
		return 0;
	return c->len - c->off;
}

const unsigned char *
console_pending_data(const struct console *c)
{
	return c->pending + c->off;
}

void
console_consumed(struct console *c, size_t n)
{
	c->off += n;
}
