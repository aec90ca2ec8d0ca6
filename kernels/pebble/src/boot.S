/*
 * boot.S — where the boot loader lands: the multiboot v1 header, the entry
 * point, the stack, and the 32 exception entry stubs.  Everything else is C.
 */
#define MB_HEADER_MAGIC 0x1badb002
#define MB_PAGE_ALIGN 0x1           /* modules on page boundaries */
#define MB_MEMORY_INFO 0x2          /* we need mem_upper for the heap */
#define MB_FLAGS (MB_PAGE_ALIGN | MB_MEMORY_INFO)
#define STACK_SIZE (256 * 1024)

	/* link.ld puts this first, well inside the 8 KiB the loader searches */
	.section .multiboot, "a"
	.align 4
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)

	.section .bss
	.align 16
stack_bottom:
	.skip STACK_SIZE
stack_top:

	.text
	.globl _start
	.type _start, @function
/* eax: the loader's magic, ebx: the multiboot information; interrupts off. */
_start:
	cli
	cld
	mov %eax, %esi
	/* loaders zero .bss, but the multiboot spec does not promise it for ELF */
	xor %eax, %eax
	mov $__kernel_bss_start, %edi
	mov $__kernel_bss_end, %ecx
	sub %edi, %ecx
	rep stosb
	mov $__app_bss_start, %edi
	mov $__app_bss_end, %ecx
	sub %edi, %ecx
	rep stosb
	mov $stack_top, %esp
	xor %ebp, %ebp                  /* ends the debug variant's backtraces */
	push %ebx
	push %esi
	call pb_kernel_main
1:	cli
	hlt
	jmp 1b
	.size _start, . - _start

/*
 * Exception stubs: make every frame look alike (a dummy error code where
 * the CPU pushes none, then the vector), save the registers and hand a
 * pointer to them to pb_cpu_exception, which does not return.
 */
.macro stub vector, has_error
	.type exception\vector, @function
exception\vector:
	.if !\has_error
	push $0
	.endif
	push $\vector
	jmp exception_common
.endm

	stub 0, 0
	stub 1, 0
	stub 2, 0
	stub 3, 0
	stub 4, 0
	stub 5, 0
	stub 6, 0
	stub 7, 0
	stub 8, 1
	stub 9, 0
	stub 10, 1
	stub 11, 1
	stub 12, 1
	stub 13, 1
	stub 14, 1
	stub 15, 0
	stub 16, 0
	stub 17, 1
	stub 18, 0
	stub 19, 0
	stub 20, 0
	stub 21, 1
	stub 22, 0
	stub 23, 0
	stub 24, 0
	stub 25, 0
	stub 26, 0
	stub 27, 0
	stub 28, 0
	stub 29, 1
	stub 30, 1
	stub 31, 0

exception_common:
	pusha
	cld
	push %esp                       /* const struct trap_frame * */
	call pb_cpu_exception
2:	cli
	hlt
	jmp 2b

/*
 * Interrupt stubs for the 16 ISA lines (vectors 32-47): an interrupt only
 * ever wakes the CPU from hlt (pb_cpu_idle), so all a stub does is tell
 * the PICs it is done.
 */
.macro irq vector
	.type irq\vector, @function
irq\vector:
	push %eax
	mov $0x20, %al                  /* end of interrupt */
	.if \vector >= 40
	out %al, $0xa0                  /* the second PIC too */
	.endif
	out %al, $0x20
	pop %eax
	iret
.endm

	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	irq \v
	.endr

	.section .rodata
	.align 4
	.globl pb_irq_stubs
pb_irq_stubs:
	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.long irq\v
	.endr

	.globl pb_exception_stubs
pb_exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long exception\v
	.endr

	.section .note.GNU-stack, "", @progbits
