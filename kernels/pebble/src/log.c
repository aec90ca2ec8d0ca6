/*
 * log.c — COM2 carries the kernel log and the app's stderr as plain text
 * (docs/kernel-interface.md §3).  Kernel lines start with "pebble: "; how
 * many there are depends on the level (option log=quiet|normal|verbose,
 * default normal, verbose in the debug variant).  Errors that end the run
 * are logged at every level.
 */
#include <pebble.h>
#include <string.h>

#include "kernel.h"

#ifdef PEBBLE_DEBUG
static enum pb_log_level level = PB_LOG_VERBOSE;
#else
static enum pb_log_level level = PB_LOG_NORMAL;
#endif

void
pb_log_set_level(enum pb_log_level l)
{
	level = l;
}

bool
pb_log_enabled(enum pb_log_level l)
{
	return l <= level;
}

void
pb_log_write(const void *buf, size_t n)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < n; i++)
		pb_uart_putc(&pb_com2, p[i]);
}

/* Remembers the last byte so that a line gets exactly one newline. */
struct line_sink {
	struct pb_sink sink;
	char last;
};

static void
com2_put(struct pb_sink *s, const char *buf, size_t n)
{
	struct line_sink *ls = (struct line_sink *)s;

	if (n > 0)
		ls->last = buf[n - 1];
	pb_log_write(buf, n);
}

static void
log_line(const char *prefix, const char *fmt, va_list ap)
{
	struct line_sink s = { { com2_put, 0 }, '\n' };

	pb_log_write(prefix, strlen(prefix));
	pb_vformat(&s.sink, fmt, ap);
	if (s.sink.count == 0 || s.last != '\n')
		pb_log_write("\n", 1);
}

void
pb_vklog(enum pb_log_level l, const char *fmt, va_list ap)
{
	if (pb_log_enabled(l))
		log_line(PB_LOG_NAME ": ", fmt, ap);
}

void
pb_klog(enum pb_log_level l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pb_vklog(l, fmt, ap);
	va_end(ap);
}

void
pb_vlog(const char *fmt, va_list ap)
{
	log_line(PB_LOG_NAME ": app: ", fmt, ap);
}

void
pb_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pb_vlog(fmt, ap);
	va_end(ap);
}
