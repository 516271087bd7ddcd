/*
 * The SiFive UART ("sifive,uart0", QEMU sifive_u): 32-bit registers,
 * txdata bit 31 = FIFO full, rxdata bit 31 = FIFO empty.
 */
#include "dev/uart.h"

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"

#define REG_TXDATA	0x00
#define REG_RXDATA	0x04
#define REG_TXCTRL	0x08
#define REG_RXCTRL	0x0c
#define REG_IE		0x10
#define FIFO_FLAG	0x80000000u
#define IE_RXWM		0x2	/* receive watermark (count > rxcnt = 0) */

static volatile uint32_t *reg(struct uart *u, unsigned off)
{
	return (volatile uint32_t *)((uintptr_t)u->regs + off);
}

static int sifive_init(struct uart *u)
{
	*reg(u, REG_IE) = 0;
	*reg(u, REG_TXCTRL) |= 1;	/* txen */
	*reg(u, REG_RXCTRL) |= 1;	/* rxen */
	return 0;
}

static void sifive_putc(struct uart *u, char c)
{
	while (*reg(u, REG_TXDATA) & FIFO_FLAG)
		arch_cpu_relax();
	*reg(u, REG_TXDATA) = (unsigned char)c;
}

static int sifive_getc(struct uart *u)
{
	uint32_t v = *reg(u, REG_RXDATA);

	if (v & FIFO_FLAG)
		return -NH_EAGAIN;
	return v & 0xff;
}

static void sifive_rx_irq(struct uart *u, bool on)
{
	*reg(u, REG_IE) = on ? IE_RXWM : 0;
}

static int sifive_loopback(struct uart *u, bool on)
{
	(void)u, (void)on;
	return -NH_ENOTSUP;	/* the SiFive UART has no loopback mode */
}

const struct uart_ops uart_sifive_ops = {
	.name = "sifive",
	.init = sifive_init,
	.putc = sifive_putc,
	.getc = sifive_getc,
	.rx_irq = sifive_rx_irq,
	.loopback = sifive_loopback,
};
