/*
 * uart.c — the two 16550 serial ports, polled.  QEMU's microvm has only
 * COM1 unless one is added, so each port is probed first; writes to a port
 * that is not there are dropped instead of waiting forever for it.
 */
#include "kernel.h"

enum {
	UART_DATA = 0,          /* THR on write, RBR on read; DLL with DLAB */
	UART_IER = 1,           /* DLM with DLAB */
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_SCRATCH = 7,
};

enum {
	LSR_DATA_READY = 0x01,
	LSR_THR_EMPTY = 0x20,
	LSR_TX_EMPTY = 0x40,    /* holding and shift registers both empty */
};

struct pb_uart pb_com1, pb_com2;

/* The scratch register keeps what is written to it only on a real UART. */
static bool
uart_probe(uint16_t base)
{
	pb_outb(base + UART_SCRATCH, 0x5a);
	if (pb_inb(base + UART_SCRATCH) != 0x5a)
		return false;
	pb_outb(base + UART_SCRATCH, 0xa5);
	return pb_inb(base + UART_SCRATCH) == 0xa5;
}

void
pb_uart_init(struct pb_uart *u, uint16_t base)
{
	u->base = base;
	u->present = uart_probe(base);
	if (!u->present)
		return;
	pb_outb(base + UART_IER, 0x00);     /* we poll: no interrupts */
	pb_outb(base + UART_LCR, 0x80);     /* divisor latch access */
	pb_outb(base + UART_DATA, 0x01);    /* 115200 baud (ignored by QEMU) */
	pb_outb(base + UART_IER, 0x00);
	pb_outb(base + UART_LCR, 0x03);     /* 8 bits, no parity, 1 stop bit */
	pb_outb(base + UART_FCR, 0x07);     /* FIFOs on, both cleared */
	pb_outb(base + UART_MCR, 0x03);     /* DTR and RTS */
}

static uint8_t
uart_lsr(const struct pb_uart *u)
{
	return pb_inb(u->base + UART_LSR);
}

void
pb_uart_putc(struct pb_uart *u, uint8_t byte)
{
	if (!u->present)
		return;
	/* QEMU keeps THRE clear while the host end is not reading: flow control */
	while (!(uart_lsr(u) & LSR_THR_EMPTY))
		__asm__ volatile("pause");
	pb_outb(u->base + UART_DATA, byte);
}

bool
pb_uart_rx_ready(struct pb_uart *u)
{
	return u->present && (uart_lsr(u) & LSR_DATA_READY);
}

uint8_t
pb_uart_getc(struct pb_uart *u)
{
	while (!pb_uart_rx_ready(u))
		__asm__ volatile("pause");
	return pb_inb(u->base + UART_DATA);
}

void
pb_uart_drain(struct pb_uart *u)
{
	if (!u->present)
		return;
	while (!(uart_lsr(u) & LSR_TX_EMPTY))
		__asm__ volatile("pause");
}
