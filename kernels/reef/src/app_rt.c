/*
 * app_rt.c — the app's side of reef (in the kit's libreef.a): the entry
 * point the kernel calls, and the few kernel services the C library
 * (shared with pebble) needs, each one call through struct reef_abi.
 */
#include <pebble.h>
#include <stdarg.h>
#include <stdlib.h>

#include "kernel.h"
#include "reef_abi.h"

int main(int argc, char **argv);
void reef_start(const struct reef_abi *abi, int argc, char **argv);

static const struct reef_abi *kernel;

__attribute__((section(".text.reef_start"))) void
reef_start(const struct reef_abi *abi, int argc, char **argv)
{
	if (!abi || abi->magic != REEF_ABI_MAGIC || abi->version != REEF_ABI_VERSION) {
		if (abi && abi->exit)
			abi->exit(1);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	kernel = abi;
	pb_heap_init(abi->heap_start, abi->heap_end);
	abi->set_flush(pb_stdout_flush);
	exit(main(argc, argv));
}

void
pb_console_write(const void *buf, size_t n)
{
	kernel->write(1, buf, n);
}

long
pb_console_read(void *buf, size_t n)
{
	return kernel->read(0, buf, n);
}

void
pb_log_write(const void *buf, size_t n)
{
	kernel->write(2, buf, n);
}

void
pb_exit(int status)
{
	kernel->exit(status);   /* the kernel flushes stdout through set_flush */
}

struct log_sink {
	struct pb_sink sink;
};

static void
log_put(struct pb_sink *s, const char *buf, size_t n)
{
	(void)s;
	pb_log_write(buf, n);
}

void
pb_vlog(const char *fmt, va_list ap)
{
	struct log_sink s = { { log_put, 0 } };

	pb_vformat(&s.sink, fmt, ap);
	pb_log_write("\n", 1);
}

void
pb_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pb_vlog(fmt, ap);
	va_end(ap);
}

void
pb_panic(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pb_vlog(fmt, ap);
	va_end(ap);
	pb_exit(status);
}

uint64_t
pb_ticks(void)
{
	return kernel->ticks();
}

const char *
pb_variant(void)
{
	return kernel->variant;
}

bool
pb_deleg_available(void)
{
	return kernel->delegation;
}

long
pb_deleg_transport(const void *req, size_t n, void **resp)
{
	return kernel->deleg_call(req, n, resp);
}
