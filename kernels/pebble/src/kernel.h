/*
 * kernel.h — pebble's internal interfaces between its C files (not part of
 * the kit's API).
 */
#ifndef PEBBLE_KERNEL_H
#define PEBBLE_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PEBBLE_VARIANT
#define PEBBLE_VARIANT "default"
#endif
#ifdef PEBBLE_DEBUG
#define DEBUG_LOG(...) klog(__VA_ARGS__)
#else
#define DEBUG_LOG(...) ((void)0)
#endif

/* format.c: a sink receives characters one at a time. */
struct sink {
	void (*put)(struct sink *s, char c);
	size_t count;
	void *arg;
};
int format(struct sink *s, const char *fmt, va_list ap);

/* console.c: the framed console on COM1 and the log on COM2. */
void console_init(void);
void console_out(const void *p, size_t n);     /* stdout bytes, buffered */
void console_flush(void);
long console_in(void *p, size_t n);             /* stdin; 0 at end of input */
bool console_in_eof(void);
void log_write(const void *p, size_t n);        /* raw bytes to COM2 */
void klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void kernel_exit(int status);

/* heap.c */
void heap_init(uintptr_t start, uintptr_t end);

/* cmdline.c: multiboot command line -> argc/argv */
int cmdline_parse(const char *cmdline, char ***argv);

/* idt.c */
void idt_init(void);

#endif
