/*
 * reef.h — what a reef app can ask of the kernel beyond the C library.
 * stdout is the console (your terminal under `diver dive`), stderr and
 * reef_log() go to the kernel log; main's return value is the exit status.
 * The app is a module: built on its own with this kit (build/app.elf) and
 * loaded by the kernel at boot, so the kernel image never changes.
 * Names starting with pb_ or reef_ belong to the kit: an app must not
 * define any.
 */
#ifndef REEF_H
#define REEF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <reef_version.h>       /* REEF_VERSION, REEF_VARIANT of the kit */

/* A line in the kernel log (COM2). */
void pb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define reef_log pb_log
/* The CPU's time-stamp counter. */
uint64_t pb_ticks(void);
#define reef_ticks pb_ticks
/* Heap statistics. */
size_t pb_heap_size(void);
size_t pb_heap_free(void);
/* The kernel's variant ("default" or "debug"). */
const char *pb_variant(void);
#define reef_variant pb_variant

#endif
