/*
 * kernel.h — what pebble's own files share with each other.  Not part of
 * the kit: apps see only include/.  Every name here starts with pb_ so
 * that an app cannot collide with the kernel by accident (the kit reserves
 * the pb_ prefix).
 *
 * The kernel is one app's runtime: no processes, no scheduler, interrupts
 * only to wake a CPU halted for input, paging only to catch NULL.  State
 * lives in the few module statics the hardware forces on us (which UARTs
 * exist, the heap's free list, stdin's escape state); each module owns its
 * own.
 */
#ifndef PEBBLE_KERNEL_H
#define PEBBLE_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_NORETURN __attribute__((noreturn))
#define PB_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Port I/O and the few privileged instructions, for every file. */
static inline void
pb_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
pb_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
pb_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/*
 * uart.c — 16550s, polled, except that COM1 interrupts when input arrives
 * so that pb_uart_getc can halt while it waits.  A port that is absent
 * swallows what we send.
 */
struct pb_uart {
	uint16_t base;
	bool present;
	bool fifo;              /* FIFOs on (a receiving port: after its first byte) */
};
extern struct pb_uart pb_com1, pb_com2;
void pb_uart_init(struct pb_uart *u, uint16_t base, bool rx_interrupt);
void pb_uart_putc(struct pb_uart *u, uint8_t byte);
bool pb_uart_rx_ready(struct pb_uart *u);
uint8_t pb_uart_getc(struct pb_uart *u);   /* waits; only when present */
void pb_uart_drain(struct pb_uart *u);
void pb_uart_discard_input(struct pb_uart *u);  /* what has arrived: kicks */

/* console.c — framed-uart-1 on COM1 (docs/kernel-interface.md §2). */
void pb_console_write(const void *buf, size_t n);   /* escapes 0xFF */
long pb_console_read(void *buf, size_t n);         /* 0 at end of input */
void pb_console_exit_frame(int status);            /* FF 02 S, then drain */
void pb_console_kick(void);                        /* FF 04: look at the channel */

/*
 * chan.c — the shared-memory channel (§2a): the console's fast path and the
 * delegation mailbox.  pb_chan_init checks the region chan=0xADDR names
 * within [low, top) and returns the new top of memory (the region's start),
 * or top when there is no channel.
 */
uintptr_t pb_chan_init(const char *cmdline, uintptr_t low, uintptr_t top);
bool pb_chan_active(void);
bool pb_chan_delegation(void);          /* the host serves the mailbox */
void pb_chan_write(const void *buf, size_t n);
long pb_chan_read(void *buf, size_t n);
/* One request in, its response's length out (*resp in the channel), -1 without one. */
long pb_chan_call(const void *req, size_t n, void **resp);
/* splitvm: tell the delegate the app's status (§8, EXIT) before powering off. */
void pb_chan_forward_exit(int status);

/*
 * deleg.c — the app's delegated calls (open, stat, ...; §8) over a
 * transport: pebble's kernel gives pb_chan_call (chan.c), reef's app side
 * goes through its kernel's table (app_rt.c).
 */
bool pb_deleg_available(void);
long pb_deleg_transport(const void *req, size_t n, void **resp);
long pb_deleg_read(int fd, void *buf, size_t n);
long pb_deleg_write(int fd, const void *buf, size_t n);

/* log.c — COM2: kernel log lines and the app's stderr. */
#ifndef PB_LOG_NAME
#define PB_LOG_NAME "pebble"     /* what log lines start with (reef sets its own) */
#endif
enum pb_log_level { PB_LOG_QUIET, PB_LOG_NORMAL, PB_LOG_VERBOSE };
void pb_log_set_level(enum pb_log_level level);
bool pb_log_enabled(enum pb_log_level level);
void pb_log_write(const void *buf, size_t n);      /* raw bytes */
void pb_klog(enum pb_log_level level, const char *fmt, ...) PB_PRINTF(2, 3);
void pb_vklog(enum pb_log_level level, const char *fmt, va_list ap);

/* format.c — the printf engine behind every formatting function. */
struct pb_sink {
	void (*put)(struct pb_sink *s, const char *buf, size_t n);
	size_t count;                                  /* bytes offered so far */
};
int pb_vformat(struct pb_sink *s, const char *fmt, va_list ap);

/* cmdline.c — split the multiboot command line (§1) into options and args. */
struct pb_cmdline {
	char **options;        /* "KEY=VALUE" tokens before "--" */
	int noptions;
	char **args;           /* the app's argv[1..], NULL-terminated */
	int nargs;
};
int pb_cmdline_split(const char *line, struct pb_cmdline *out);

/* heap.c — malloc over one region of memory. */
void pb_heap_init(uintptr_t start, uintptr_t end);

/* stdio.c — stdout's buffer, so the kernel can flush it before reading or exiting. */
void pb_stdout_flush(void);

/* cpu.c — descriptor tables, FPU, paging, PIC; exceptions end the run. */
void pb_cpu_init(void);
void pb_cpu_idle(void);         /* until an interrupt, or just a moment */
bool pb_cpu_sse(void);          /* SSE is on: the xmm registers may be used */
PB_NORETURN void pb_cpu_poweroff(int status);

/* multiboot.c — the boot information (multiboot v1) both kernels read. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODULES (1u << 3)
#define MB_INFO_MMAP (1u << 6)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;          /* KiB below 1 MiB, above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct multiboot_module {
	uint32_t start, end, string, reserved;
};

/* The end of the image and of everything the loader put after it. */
uintptr_t pb_boot_data_end(const struct multiboot_info *mbi);
/* Apply one KEY=VALUE kernel option (argv0=, log=...). */
void pb_apply_option(const char *option, const char **argv0);

/* kernel.c — the one way out: flush, frame, log, power off. */
PB_NORETURN void pb_exit(int status);
PB_NORETURN void pb_panic(int status, const char *fmt, ...) PB_PRINTF(2, 3);

#endif
