/*
 * The console UART from user space: the claim (kernel/dev/console.c
 * hands the device over with its description), the registers mapped
 * shared, the line bound to our notification, and the kernel's own UART
 * drivers (kernel/dev/uart_8250.c, uart_sifive.c: freestanding C, linked
 * in) chosen by the device tree's compatible string.  Output is polled;
 * while it waits for the transmitter, received bytes are taken too
 * (into a stash, handled after the write, so an echo never lands inside
 * another write): typing during a long write is not lost in a 16-byte
 * FIFO.
 */
#include <stdio.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "console.h"
#include "dev/uart.h"
#include "nuthatch.h"

static const struct {
	const char *compatible;
	const struct uart_ops *ops;
} drivers[] = {
	{ "ns16550a", &uart_8250_ops },		/* QEMU virt */
	{ "ns16550", &uart_8250_ops },
	{ "snps,dw-apb-uart", &uart_8250_ops },	/* the JH7110 */
	{ "sifive,uart0", &uart_sifive_ops },	/* QEMU sifive_u */
};

static struct {
	struct uart u;		/* u.ops 0: no UART, the debug console */
	long claim, irq;	/* handles */
	unsigned char stash[1024];	/* received, not yet through tty_input */
	uint32_t nstash;
	uint64_t tx, lost, overrun;
} port;

static const struct uart_ops *driver_for(const char *compatible)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		if (!strcmp(drivers[i].compatible, compatible))
			return drivers[i].ops;
	}
	return 0;
}

static long map_regs(const struct nh_console *c, const struct uart_ops *ops)
{
	long va = nh_map(NH_SELF_SPACE, 0, 4096,
			 NH_PROT_READ | NH_PROT_WRITE, NH_MAP_SHARED, c->regs, 0);

	if (va < 0)
		return va;
	port.u = (struct uart){ .ops = ops, .regs = (void *)(va + c->offset),
				.shift = c->shift, .width = c->width ? c->width : 1 };
	return ops->init(&port.u);
}

long port_init(long notify)
{
	struct nh_console c = { 0 };
	const struct uart_ops *ops;
	long r;

	port.claim = nh_console_claim(notify, CON_BIT_LOG, &c);
	if (port.claim < 0)
		return port.claim;	/* the kernel keeps it: debug console */
	ops = driver_for(c.compatible);
	r = ops ? map_regs(&c, ops) : -NH_ENODEV;
	if (r)
		return r;	/* (the claim stays: the kernel's log comes still) */
	nh_handle_close(c.regs);	/* the mapping keeps the object */
	if (c.irq) {
		port.irq = nh_irq_bind(c.irq, notify, CON_BIT_RX);
		if (port.irq > 0)
			port.u.ops->rx_irq(&port.u, 1);
	}
	return port.irq < 0 ? port.irq : 0;
}

/* Take what the receiver holds into the stash (also while output waits). */
static void drain_rx(void)
{
	int c;

	while ((c = (port.u.ops->getc)(&port.u)) >= 0) {
		if (port.nstash < sizeof(port.stash))
			port.stash[port.nstash++] = (unsigned char)c;
		else
			port.overrun++;
	}
}



void port_write(const void *buf, size_t n)
{
	const char *s = buf;

	port.tx += n;
	if (!port.u.ops) {
		nh_debug_write(buf, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if ((i & 15) == 0)
			drain_rx();
		(port.u.ops->putc)(&port.u, s[i]);
	}
}

void port_rx(void)
{
	if (!port.u.ops)
		return;
	drain_rx();
	if (port.irq > 0)
		nh_irq_ack(port.irq);
	port_settle();
}

void port_settle(void)
{
	while (port.nstash) {
		unsigned char copy[sizeof(port.stash)];
		uint32_t n = port.nstash;

		memcpy(copy, port.stash, n);
		port.nstash = 0;
		for (uint32_t i = 0; i < n; i++)
			tty_input(copy[i]);
	}
	tty_serve();
}

/* One piece of the log, "\n" as "\r\n". */
static void log_piece(const char *s, long n)
{
	long from = 0;

	for (long i = 0; i < n; i++) {
		if (s[i] != '\n')
			continue;
		port_write(s + from, (size_t)(i - from));
		port_write("\r\n", 2);
		from = i + 1;
	}
	port_write(s + from, (size_t)(n - from));
}

void port_log(void)
{
	char buf[512], note[80];
	uint64_t lost = 0;
	long n;

	while ((n = nh_console_log_read(port.claim, buf, sizeof(buf), &lost)) > 0 || lost) {
		if (lost) {
			port.lost += lost;
			int k = snprintf(note, sizeof(note),
					 "console: %llu bytes of the kernel's log lost\r\n",
					 (unsigned long long)lost);
			port_write(note, (size_t)k);
			lost = 0;
		}
		if (n > 0)
			log_piece(buf, n);
		if (n <= 0)
			break;
	}
	port_settle();	/* (input taken while writing) */
}

uint64_t port_tx_count(void)
{
	return port.tx;
}

uint64_t port_lost_count(void)
{
	return port.lost;
}
