/*
 * boot.S — multiboot v1 entry of pebble: the header QEMU's -kernel and GRUB
 * look for, our own flat GDT, a stack, and the exception entry stubs.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003          /* page-align modules, want memory info */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .bss
	.align 16
stack_bottom:
	.skip 65536
stack_top:

	.section .data
	.align 8
gdt:
	.quad 0x0000000000000000
	.quad 0x00cf9a000000ffff         /* 0x08: code, flat 4 GiB */
	.quad 0x00cf92000000ffff         /* 0x10: data, flat 4 GiB */
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt

	.section .text
	.global _start
	.type _start, @function
_start:
	cli
	mov $stack_top, %esp
	lgdt gdt_ptr
	ljmp $0x08, $1f
1:	mov $0x10, %cx
	mov %cx, %ds
	mov %cx, %es
	mov %cx, %fs
	mov %cx, %gs
	mov %cx, %ss
	cld
	push %ebx                        /* multiboot information */
	push %eax                        /* multiboot magic */
	call kernel_main
2:	cli
	hlt
	jmp 2b

/* Exception stubs: push a dummy error code where the CPU pushes none. */
.macro ISR_NOERR n
	.global isr\n
isr\n:
	push $0
	push $\n
	jmp isr_common
.endm
.macro ISR_ERR n
	.global isr\n
isr\n:
	push $\n
	jmp isr_common
.endm

ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19

isr_common:
	pusha
	push %esp                        /* struct trap_frame * */
	call exception_handler
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
