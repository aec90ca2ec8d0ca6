/*
 * pebble.h — what the pebble kernel offers an app beyond its small C
 * library (stdio.h, stdlib.h, string.h, ctype.h, unistd.h, limits.h,
 * assert.h; stdint.h, stddef.h, stdarg.h and stdbool.h are gcc's own).
 *
 * An app is `int main(int argc, char **argv)`, linked with libpebble.a
 * into one image.  argv comes from the kernel command line (argv[0] is the
 * argv0= option, "app" without it).  stdin and stdout are the console
 * (COM1, binary-safe, stdin ends when the host says so); stderr and
 * pb_log() go to the kernel log (COM2).  Returning from main or calling
 * exit() powers the machine off with that status; a CPU exception (a NULL
 * dereference, a division by zero) ends the run with status 139, abort()
 * and a failed assert() with 134.
 *
 * Names starting with pb_ belong to the kernel: an app must not define any.
 */
#ifndef PEBBLE_H
#define PEBBLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <pebble_version.h>     /* PEBBLE_VERSION, _MAJOR, _MINOR, _PATCH, PEBBLE_VARIANT */

/* One line on the kernel log, "pebble: app: " and the message. */
void pb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pb_vlog(const char *fmt, va_list ap);

/* The CPU's time-stamp counter: uncalibrated, for relative timings. */
uint64_t pb_ticks(void);

/* Bytes of heap in all, and bytes not allocated now. */
size_t pb_heap_size(void);
size_t pb_heap_free(void);

/* The variant the kernel was built as, "default" or "debug". */
const char *pb_variant(void);

#endif
