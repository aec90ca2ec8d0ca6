/*
 * idt.c — exception gates, so that a fault in the app or the kernel is
 * reported on the log and ends the run (status 139, like SIGSEGV) instead of
 * a silent triple fault and reboot.
 */
#include <stdint.h>

#include "kernel.h"

struct gate {
	uint16_t offset_low, selector;
	uint8_t zero, type;
	uint16_t offset_high;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

struct trap_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error, eip, cs, eflags;
};

#define NVECTORS 20

extern void isr0(void), isr1(void), isr2(void), isr3(void), isr4(void),
	isr5(void), isr6(void), isr7(void), isr8(void), isr9(void),
	isr10(void), isr11(void), isr12(void), isr13(void), isr14(void),
	isr15(void), isr16(void), isr17(void), isr18(void), isr19(void);
void exception_handler(struct trap_frame *f);

static void (*const stubs[NVECTORS])(void) = {
	isr0, isr1, isr2, isr3, isr4, isr5, isr6, isr7, isr8, isr9,
	isr10, isr11, isr12, isr13, isr14, isr15, isr16, isr17, isr18, isr19,
};

static const char *const names[NVECTORS] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "no FPU", "double fault",
	"coprocessor overrun", "invalid TSS", "segment not present",
	"stack fault", "general protection fault", "page fault", "reserved",
	"x87 error", "alignment check", "machine check", "SIMD error",
};

static struct gate idt[NVECTORS];

void
idt_init(void)
{
	struct idt_ptr ptr = { sizeof idt - 1, (uint32_t)(uintptr_t)idt };

	for (int i = 0; i < NVECTORS; i++) {
		uint32_t a = (uint32_t)(uintptr_t)stubs[i];
		idt[i] = (struct gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16) };
	}
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void
exception_handler(struct trap_frame *f)
{
	klog("exception %u (%s) at eip 0x%08x, error 0x%x", f->vector,
	     f->vector < NVECTORS ? names[f->vector] : "?", f->eip, f->error);
	kernel_exit(139);
}
