/*
 * pebble.h — what the pebble kernel offers an app besides the C subset in
 * stdio.h, stdlib.h, string.h, ctype.h and unistd.h.
 *
 * An app is `int main(int argc, char **argv)`, linked with libpebble.a into
 * one image.  stdout is the console (COM1, binary-safe), stderr and pb_log
 * go to the kernel log (COM2), stdin ends when the host says so.  Returning
 * from main or calling exit() powers the machine off with that status.
 */
#ifndef PEBBLE_H
#define PEBBLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define PEBBLE_VERSION "0.1.0"

/* One line on the kernel log, prefixed "pebble: app: ". */
void pb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* CPU time-stamp counter (not calibrated: for relative timings). */
uint64_t pb_ticks(void);
/* Bytes of heap left for malloc. */
size_t pb_heap_free(void);
/* The variant the kernel was built as: "default" or "debug". */
const char *pb_variant(void);

#endif
