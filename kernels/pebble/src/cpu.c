/*
 * cpu.c — the processor as the app finds it: our own flat GDT (the boot
 * loader's may be anywhere), an IDT whose 32 exception gates report the
 * fault on the log and end the run with status 139 (as a shell reports
 * SIGSEGV), the FPU and SSE switched on for floating point, and identity
 * paging with page 0 left out, so that a NULL dereference faults instead of
 * reading the interrupt vector table.
 *
 * Interrupts are off except inside pb_cpu_idle: waiting for input, the CPU
 * halts until COM1's interrupt wakes it (or a 20 Hz timer tick, should the
 * machine not wire that line).  A halted vCPU costs the host nothing and
 * leaves QEMU's I/O thread free to feed the UART, which polling starves.
 */
#include "kernel.h"

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define NEXCEPTIONS 32
#define IRQ_BASE 32             /* ISA lines 0-15 on vectors 32-47 */
#define NVECTORS (IRQ_BASE + 16)
#define IRQ_TIMER 0
#define IRQ_COM1 4
#define PIC1 0x20               /* command port; data (mask) is +1 */
#define PIC2 0xa0
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_HZ 1193182
#define TICK_HZ 20              /* the slowest the PIT goes is 18.2 Hz */
#define EXCEPTION_STATUS 139
#define DEBUG_EXIT_PORT 0xf4

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_NE (1u << 5)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CPUID_PSE (1u << 3)
#define CPUID_APIC (1u << 9)
#define MSR_APIC_BASE 0x1b
#define APIC_GLOBAL_ENABLE (1u << 11)
#define APIC_TPR 0x80                   /* register offsets */
#define APIC_SPURIOUS 0xf0
#define APIC_LVT_LINT0 0x350
#define APIC_SOFT_ENABLE 0x100
#define APIC_SPURIOUS_VECTOR 47         /* low nibble must be 0xf; its stub is harmless */
#define APIC_DELIVERY_EXTINT 0x700      /* unmasked, vector from the PIC */
#define CPUID_FXSR (1u << 24)
#define CPUID_SSE (1u << 25)

#define PAGE_PRESENT 0x001u
#define PAGE_WRITE 0x002u
#define PAGE_LARGE 0x080u       /* a 4 MiB page in the page directory */

/* Pushed by the stubs in boot.S, lowest address first. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;    /* pusha */
	uint32_t vector, error;
	uint32_t eip, cs, eflags;                           /* by the CPU */
};

struct gate {
	uint16_t offset_low, selector;
	uint8_t zero, type;
	uint16_t offset_high;
} __attribute__((packed));

struct table_pointer {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern const uint32_t pb_exception_stubs[NEXCEPTIONS];     /* boot.S */
extern const uint32_t pb_irq_stubs[16];
PB_NORETURN void pb_cpu_exception(const struct trap_frame *f);

static const uint64_t gdt[] = {
	0,
	0x00cf9a000000ffffull,  /* KERNEL_CS: code, base 0, 4 GiB, ring 0, 32-bit */
	0x00cf92000000ffffull,  /* KERNEL_DS: data, the same span */
};
static struct gate idt[NVECTORS];
static bool can_halt;           /* an interrupt controller is there to wake us */
/* Aligned by hand: an aligned(4096) object would pad the image file too. */
static uint8_t paging_area[3 * 4096];

static const char *const exception_names[NEXCEPTIONS] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection fault",
	"page fault", "reserved", "x87 floating point error", "alignment check",
	"machine check", "SIMD floating point error", "virtualization",
	"control protection", "reserved", "reserved", "reserved", "reserved",
	"reserved", "reserved", "hypervisor injection", "VMM communication",
	"security", "reserved",
};

static uint32_t
cpuid_edx(uint32_t leaf)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
	return d;
}

static void
gdt_load(void)
{
	struct table_pointer p = { sizeof gdt - 1, (uint32_t)(uintptr_t)gdt };

	/* a far jump is the only way to reload CS */
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\tmovw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%fs\n\t"
			 "movw %w2, %%gs\n\t"
			 "movw %w2, %%ss"
			 : : "m"(p), "i"(KERNEL_CS), "r"(KERNEL_DS) : "memory");
}

static struct gate
gate(uint32_t handler)
{
	/* 0x8e: present, ring 0, 32-bit interrupt gate (interrupts stay off) */
	return (struct gate){ (uint16_t)handler, KERNEL_CS, 0, 0x8e, (uint16_t)(handler >> 16) };
}

static void
idt_load(void)
{
	struct table_pointer p = { sizeof idt - 1, (uint32_t)(uintptr_t)idt };

	for (int i = 0; i < NEXCEPTIONS; i++)
		idt[i] = gate(pb_exception_stubs[i]);
	for (int i = 0; i < 16; i++)
		idt[IRQ_BASE + i] = gate(pb_irq_stubs[i]);
	__asm__ volatile("lidt %0" : : "m"(p));
}

/*
 * Both 8259s moved off the exception vectors, every line masked but the
 * timer and COM1.  Returns false when there is no PIC (its mask register
 * does not keep what we write), and then we never halt.
 */
static bool
pic_init(void)
{
	uint8_t mask = (uint8_t)~(1u << IRQ_TIMER | 1u << IRQ_COM1);

	pb_outb(PIC1, 0x11);            /* initialize, edge triggered, ICW4 follows */
	pb_outb(PIC2, 0x11);
	pb_outb(PIC1 + 1, IRQ_BASE);
	pb_outb(PIC2 + 1, IRQ_BASE + 8);
	pb_outb(PIC1 + 1, 0x04);        /* the second PIC hangs off line 2 */
	pb_outb(PIC2 + 1, 0x02);
	pb_outb(PIC1 + 1, 0x01);        /* 8086 mode */
	pb_outb(PIC2 + 1, 0x01);
	pb_outb(PIC1 + 1, mask);
	pb_outb(PIC2 + 1, 0xff);
	return pb_inb(PIC1 + 1) == mask;
}

/*
 * QEMU hands the PIC's interrupt to the CPU only through the local APIC's
 * LINT0 input, and firmware such as qboot leaves that masked: turn the
 * APIC on with LINT0 passing the PIC's interrupts through (ExtINT), as a
 * BIOS does for an operating system that knows nothing of APICs.
 */
static void
apic_pass_pic_interrupts(uint32_t features)
{
	volatile uint32_t *apic;
	uint32_t lo, hi;

	if (!(features & CPUID_APIC))
		return;                 /* no APIC: the PIC drives the CPU directly */
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_APIC_BASE));
	lo |= APIC_GLOBAL_ENABLE;
	__asm__ volatile("wrmsr" : : "a"(lo), "d"(hi), "c"(MSR_APIC_BASE));
	apic = (volatile uint32_t *)(uintptr_t)(lo & 0xfffff000u);
	apic[APIC_TPR / 4] = 0;                          /* accept every priority */
	apic[APIC_SPURIOUS / 4] = APIC_SOFT_ENABLE | APIC_SPURIOUS_VECTOR;
	apic[APIC_LVT_LINT0 / 4] = APIC_DELIVERY_EXTINT;
}

static void
pit_init(void)
{
	uint16_t divisor = PIT_HZ / TICK_HZ;

	pb_outb(PIT_COMMAND, 0x34);     /* channel 0, both bytes, rate generator */
	pb_outb(PIT_CHANNEL0, (uint8_t)divisor);
	pb_outb(PIT_CHANNEL0, (uint8_t)(divisor >> 8));
}

void
pb_cpu_idle(void)
{
	if (can_halt)
		/* sti lets one more instruction run first: no wakeup is lost */
		__asm__ volatile("sti\n\thlt\n\tcli" : : : "memory");
	else
		__asm__ volatile("pause");
}

static void
fpu_init(uint32_t features)
{
	uint32_t cr0, cr4;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~CR0_EM) | CR0_MP | CR0_NE;
	__asm__ volatile("mov %0, %%cr0\n\tfninit" : : "r"(cr0));
	if ((features & CPUID_FXSR) && (features & CPUID_SSE)) {
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	}
}

/* 4 GiB identity map: 4 KiB pages for the first 4 MiB (page 0 absent), 4 MiB pages above. */
static void
paging_init(uint32_t features)
{
	uintptr_t area = ((uintptr_t)paging_area + 4095) & ~(uintptr_t)4095;
	uint32_t *page_directory = (uint32_t *)area;
	uint32_t *low_page_table = (uint32_t *)(area + 4096);
	uint32_t cr0, cr4;

	if (!(features & CPUID_PSE))
		return;                 /* no large pages: stay unpaged */
	low_page_table[0] = 0;          /* page 0 absent: NULL pointers fault */
	for (uint32_t i = 1; i < 1024; i++)
		low_page_table[i] = i << 12 | PAGE_PRESENT | PAGE_WRITE;
	page_directory[0] = (uint32_t)(uintptr_t)low_page_table | PAGE_PRESENT | PAGE_WRITE;
	for (uint32_t i = 1; i < 1024; i++)
		page_directory[i] = i << 22 | PAGE_PRESENT | PAGE_WRITE | PAGE_LARGE;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_PSE));
	__asm__ volatile("mov %0, %%cr3" : : "r"(page_directory) : "memory");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG) : "memory");
}

void
pb_cpu_init(void)
{
	uint32_t features = cpuid_edx(1);

	gdt_load();
	idt_load();
	fpu_init(features);
	paging_init(features);
	apic_pass_pic_interrupts(features);
	can_halt = pic_init();
	if (can_halt)
		pit_init();
}

uint64_t
pb_ticks(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

void
pb_cpu_poweroff(int status)
{
	/* QEMU's isa-debug-exit ends QEMU here; elsewhere we simply stop */
	pb_outl(DEBUG_EXIT_PORT, (uint32_t)status & 0xff);
	for (;;)
		__asm__ volatile("cli\n\thlt");
}

/* Return addresses along the frame-pointer chain (the debug variant keeps one). */
static void
log_backtrace(uint32_t ebp)
{
	for (int depth = 0; depth < 16 && ebp >= 0x1000 && ebp % 4 == 0; depth++) {
		const uint32_t *frame = (const uint32_t *)(uintptr_t)ebp;
		if (frame[1] == 0 || frame[0] <= ebp)
			break;
		pb_klog(PB_LOG_VERBOSE, "  called from 0x%08x", (unsigned)frame[1]);
		ebp = frame[0];
	}
}

static void
log_registers(const struct trap_frame *f)
{
	uint32_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	pb_klog(PB_LOG_VERBOSE, "  error 0x%x cr2 0x%08x eflags 0x%08x", (unsigned)f->error,
		(unsigned)cr2, (unsigned)f->eflags);
	pb_klog(PB_LOG_VERBOSE, "  eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x",
		(unsigned)f->eax, (unsigned)f->ebx, (unsigned)f->ecx, (unsigned)f->edx);
	pb_klog(PB_LOG_VERBOSE, "  esi 0x%08x edi 0x%08x ebp 0x%08x esp 0x%08x",
		(unsigned)f->esi, (unsigned)f->edi, (unsigned)f->ebp, (unsigned)f->esp + 20);
	if (pb_log_enabled(PB_LOG_VERBOSE))
		log_backtrace(f->ebp);
}

void
pb_cpu_exception(const struct trap_frame *f)
{
	static bool handling;
	uint32_t cr2;

	if (handling) {
		/* faulted while reporting a fault: leave with what still works */
		pb_console_exit_frame(EXCEPTION_STATUS);
		pb_cpu_poweroff(EXCEPTION_STATUS);
	}
	handling = true;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (f->vector == 14)
		pb_klog(PB_LOG_QUIET, "exception 14 (page fault) at eip 0x%08x, address 0x%08x",
			(unsigned)f->eip, (unsigned)cr2);
	else
		pb_klog(PB_LOG_QUIET, "exception %u (%s) at eip 0x%08x", (unsigned)f->vector,
			exception_names[f->vector % NEXCEPTIONS], (unsigned)f->eip);
	log_registers(f);
	pb_exit(EXCEPTION_STATUS);
}

bool
pb_cpu_sse(void)
{
	uint32_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	return cr4 & CR4_OSFXSR;
}
