/*
 * uart.c — polled 16550.  No interrupts: the kernel runs one app and waits
 * on the line status register, which is all QEMU needs and all a real UART
 * needs at this speed.
 */
#include "uart.h"

#include "io.h"

#define THR 0
#define RBR 0
#define IER 1
#define DLL 0
#define DLM 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

void
uart_init(uint16_t base)
{
	outb(base + IER, 0x00);
	outb(base + LCR, 0x80);          /* divisor latch */
	outb(base + DLL, 0x01);          /* 115200 baud */
	outb(base + DLM, 0x00);
	outb(base + LCR, 0x03);          /* 8N1 */
	outb(base + FCR, 0x07);          /* FIFOs on and cleared */
	outb(base + MCR, 0x03);          /* DTR, RTS */
}

void
uart_putc(uint16_t base, uint8_t c)
{
	while (!(inb(base + LSR) & LSR_THRE))
		cpu_pause();
	outb(base + THR, c);
}

bool
uart_ready(uint16_t base)
{
	return inb(base + LSR) & LSR_DR;
}

uint8_t
uart_getc(uint16_t base)
{
	while (!uart_ready(base))
		cpu_pause();
	return inb(base + RBR);
}

void
uart_drain(uint16_t base)
{
	while (!(inb(base + LSR) & LSR_TEMT))
		cpu_pause();
}
