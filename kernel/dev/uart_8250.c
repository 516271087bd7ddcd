/*
 * The 16550-compatible UART: QEMU's "ns16550a" (byte registers, stride 1)
 * and the JH7110's "snps,dw-apb-uart" (stride 4, 32-bit accesses only).
 * The firmware has already set the line up (baud, 8N1), so init only
 * turns FIFOs on and interrupts off; output is polled on LSR.THRE.
 */
#include "dev/uart.h"

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"

#define REG_RBR	0	/* receive buffer (read) */
#define REG_THR	0	/* transmit holding (write) */
#define REG_IER	1	/* interrupt enable */
#define REG_FCR	2	/* FIFO control (write) */
#define REG_MCR	4	/* modem control */
#define REG_LSR	5	/* line status */
#define LSR_DR	0x01	/* data ready */
#define LSR_THRE 0x20	/* transmit holding register empty */
#define FCR_ENABLE 0x01
#define IER_RDI	0x01	/* received data available */
#define MCR_OUT2 0x08	/* gates the interrupt line on PC-style parts */
#define MCR_LOOP 0x10	/* internal loopback */

static uint32_t rd(struct uart *u, unsigned reg)
{
	uintptr_t a = (uintptr_t)u->regs + (reg << u->shift);

	if (u->width == 4)
		return *(volatile uint32_t *)a;
	return *(volatile uint8_t *)a;
}

static void wr(struct uart *u, unsigned reg, uint32_t v)
{
	uintptr_t a = (uintptr_t)u->regs + (reg << u->shift);

	if (u->width == 4)
		*(volatile uint32_t *)a = v;
	else
		*(volatile uint8_t *)a = (uint8_t)v;
}

static int u8250_init(struct uart *u)
{
	if (u->width != 1 && u->width != 4)
		return -NH_EINVAL;
	wr(u, REG_IER, 0);
	wr(u, REG_FCR, FCR_ENABLE);
	return 0;
}

static void u8250_putc(struct uart *u, char c)
{
	while (!(rd(u, REG_LSR) & LSR_THRE))
		arch_cpu_relax();
	arch_io_barrier();
	wr(u, REG_THR, (unsigned char)c);
}

static int u8250_getc(struct uart *u)
{
	if (!(rd(u, REG_LSR) & LSR_DR))
		return -NH_EAGAIN;
	arch_io_barrier();
	return rd(u, REG_RBR) & 0xff;
}

static void u8250_rx_irq(struct uart *u, bool on)
{
	wr(u, REG_IER, on ? IER_RDI : 0);
	wr(u, REG_MCR, (rd(u, REG_MCR) & ~MCR_OUT2) | (on ? MCR_OUT2 : 0));
}

static int u8250_loopback(struct uart *u, bool on)
{
	while (!(rd(u, REG_LSR) & LSR_THRE))	/* let pending output drain */
		arch_cpu_relax();
	wr(u, REG_MCR, (rd(u, REG_MCR) & ~MCR_LOOP) | (on ? MCR_LOOP : 0));
	return 0;
}

const struct uart_ops uart_8250_ops = {
	.name = "8250",
	.init = u8250_init,
	.putc = u8250_putc,
	.getc = u8250_getc,
	.rx_irq = u8250_rx_irq,
	.loopback = u8250_loopback,
};
