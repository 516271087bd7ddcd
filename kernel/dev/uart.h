/*
 * UART drivers behind one ops table.  The console picks the ops from the
 * DT compatible (platform.h's plat_uart_kind) and never switches on the
 * kind elsewhere.  A driver owns only its registers; the console lock
 * serialises callers.
 */
#ifndef NUTHATCH_UART_H
#define NUTHATCH_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/platform.h"

struct uart {
	const struct uart_ops *ops;	/* [I] */
	volatile void *regs;		/* [I] mapped registers */
	uint32_t shift;			/* [I] register stride = 1 << shift */
	uint32_t width;			/* [I] access width in bytes: 1 or 4 */
};

struct uart_ops {
	const char *name;
	/* Prepare the device for polled output; returns 0 or -NH_E*. */
	int (*init)(struct uart *u);
	/* Send one byte, waiting while the transmitter is full. */
	void (*putc)(struct uart *u, char c);
	/* A received byte (0..255), or -NH_EAGAIN when none is waiting. */
	int (*getc)(struct uart *u);
	/* Raise the UART's interrupt when a byte arrives (or stop). */
	void (*rx_irq)(struct uart *u, bool on);
	/* Internal loopback: what is sent is received.  -NH_ENOTSUP if none. */
	int (*loopback)(struct uart *u, bool on);
};

extern const struct uart_ops uart_8250_ops;	/* ns16550a, dw-apb-uart */
extern const struct uart_ops uart_sifive_ops;	/* sifive,uart0 */

/* The ops for a platform UART kind, or NULL if none. */
const struct uart_ops *uart_ops_for(enum plat_uart_kind kind);

#endif
