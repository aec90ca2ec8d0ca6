/* uart.h — polled 16550 UARTs: COM1 (console) and COM2 (log). */
#ifndef PEBBLE_UART_H
#define PEBBLE_UART_H

#include <stdbool.h>
#include <stdint.h>

#define COM1 0x3f8
#define COM2 0x2f8

void uart_init(uint16_t base);
void uart_putc(uint16_t base, uint8_t c);
/* true when a received byte is waiting */
bool uart_ready(uint16_t base);
uint8_t uart_getc(uint16_t base);
/* wait until every byte written has left the transmitter */
void uart_drain(uint16_t base);

#endif
