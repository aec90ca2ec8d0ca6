/*
 * uart.c — the two 16550 serial ports.  QEMU's microvm has only COM1
 * unless one is added, so each port is probed first; writes to a port that
 * is not there are dropped instead of waiting forever for it.  Output is
 * polled; a reader waiting for input halts until the receive interrupt.
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

/* FIFOs on and cleared; receive interrupt at 8 bytes, or when input pauses */
#define FCR_FIFO_ON 0x87
#define MCR_NORMAL 0x0b         /* DTR, RTS, OUT2 (which gates the IRQ line) */
#define MCR_LOOPBACK 0x10

struct pb_uart pb_com1, pb_com2;

static uint8_t
uart_lsr(const struct pb_uart *u)
{
	return pb_inb(u->base + UART_LSR);
}

void
pb_uart_drain(struct pb_uart *u)
{
	if (!u->present)
		return;
	while (!(uart_lsr(u) & LSR_TX_EMPTY))
		__asm__ volatile("pause");
}

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

/*
 * Switching the FIFOs on empties them, and the host may be sending stdin
 * already, so a receiving port starts without FIFOs and switches when its
 * first byte is there.  Until that byte is read QEMU's I/O thread sends
 * nothing more; in loopback mode reading it does not wake that thread, and
 * writing it to THR puts it back into the (now enabled) receive FIFO.  So
 * no byte is lost and the order holds.
 */
static void
fifo_on_keeping_first_byte(struct pb_uart *u)
{
	uint8_t first;

	pb_uart_drain(u);               /* loopback would turn output into input */
	pb_outb(u->base + UART_MCR, MCR_NORMAL | MCR_LOOPBACK);
	first = pb_inb(u->base + UART_DATA);
	pb_outb(u->base + UART_FCR, FCR_FIFO_ON);
	pb_outb(u->base + UART_DATA, first);
	pb_outb(u->base + UART_MCR, MCR_NORMAL);
	u->fifo = true;
}

void
pb_uart_init(struct pb_uart *u, uint16_t base, bool rx_interrupt)
{
	u->base = base;
	u->present = uart_probe(base);
	if (!u->present)
		return;
	pb_outb(base + UART_IER, 0x00);
	pb_outb(base + UART_LCR, 0x80);     /* divisor latch access */
	pb_outb(base + UART_DATA, 0x01);    /* 115200 baud (ignored by QEMU) */
	pb_outb(base + UART_IER, 0x00);
	pb_outb(base + UART_LCR, 0x03);     /* 8 bits, no parity, 1 stop bit */
	if (!rx_interrupt)              /* a receiving port: see above */
		pb_outb(base + UART_FCR, FCR_FIFO_ON);
	pb_outb(base + UART_MCR, MCR_NORMAL);
	pb_outb(base + UART_IER, rx_interrupt ? 0x01 : 0x00);
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
	while (!(uart_lsr(u) & LSR_DATA_READY))
		pb_cpu_idle();
	if (!u->fifo)
		fifo_on_keeping_first_byte(u);
	return pb_inb(u->base + UART_DATA);
}

void
pb_uart_discard_input(struct pb_uart *u)
{
	while (pb_uart_rx_ready(u))
		(void)pb_inb(u->base + UART_DATA);
}
