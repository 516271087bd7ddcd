/*
 * The console backends and the lock that makes output line-atomic.
 */
#include "dev/console.h"

#include <nuthatch/errno.h>

#include "arch/riscv/sbi.h"
#include "dev/uart.h"
#include "dev/irq.h"
#include "mm/kmap.h"
#include "core/printk.h"
#include "core/spinlock.h"

#define RX_SIZE	256	/* power of two */

/* Lock order: console_lock, then nothing. */
static struct spinlock console_lock =
	SPINLOCK_INIT("console: the UART's registers, console_uart, rx", RANK_CONSOLE);
static struct uart console_uart;	/* [console_lock] ops NULL: SBI */
static uint32_t console_irq;		/* [I] after console_rx_enable */
static struct {
	char buf[RX_SIZE];
	uint32_t head, tail;	/* [console_lock] free-running indices */
	uint64_t dropped;	/* [console_lock] */
} rx;

static void emit(char c)
{
	if (console_uart.ops)
		console_uart.ops->putc(&console_uart, c);
	else
		sbi_console_putc(c);
}

void console_write(const char *s, size_t n)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			emit('\r');
		emit(s[i]);
	}
	spin_unlock_irqrestore(&console_lock, f);
}

void console_init(void)
{
	printk_set_sink(console_write);
}

int console_use_uart(const struct platform *p)
{
	const struct uart_ops *ops;
	struct uart u;
	irqflags_t f;
	int err;

	if (!p->has_console)
		return -NH_ENODEV;
	ops = uart_ops_for(p->console.kind);
	if (!ops)
		return -NH_ENODEV;
	u = (struct uart){
		.ops = ops,
		.regs = ioremap(p->console.base, p->console.size),
		.shift = p->console.reg_shift,
		.width = p->console.reg_io_width,
	};
	if (!u.regs)
		return -NH_ENOMEM;
	err = ops->init(&u);
	if (err)
		return err;
	f = spin_lock_irqsave(&console_lock);
	console_uart = u;
	console_irq = p->console.irq;
	spin_unlock_irqrestore(&console_lock, f);
	return 0;
}

/* The UART's receive interrupt: drain it into rx. */
static void console_rx_irq(void *ctx)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);
	int c;

	while ((c = console_uart.ops->getc(&console_uart)) >= 0) {
		if (rx.head - rx.tail == RX_SIZE) {
			rx.dropped++;
			continue;
		}
		rx.buf[rx.head++ % RX_SIZE] = (char)c;
	}
	spin_unlock_irqrestore(&console_lock, f);
}

int console_rx_enable(void)
{
	irqflags_t f;
	int err;

	if (!console_uart.ops || console_irq == 0)
		return -NH_ENODEV;
	err = irq_register(console_irq, console_rx_irq, 0);
	if (err)
		return err;
	f = spin_lock_irqsave(&console_lock);
	console_uart.ops->rx_irq(&console_uart, true);
	spin_unlock_irqrestore(&console_lock, f);
	return 0;
}

int console_getc(void)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);
	int c = -NH_EAGAIN;

	if (rx.head != rx.tail)
		c = (unsigned char)rx.buf[rx.tail++ % RX_SIZE];
	spin_unlock_irqrestore(&console_lock, f);
	return c;
}

uint64_t console_rx_dropped(void)
{
	return rx.dropped;
}

int console_loopback(bool on)
{
	irqflags_t f;
	int err;

	if (!console_uart.ops)
		return -NH_ENODEV;
	f = spin_lock_irqsave(&console_lock);
	err = console_uart.ops->loopback(&console_uart, on);
	spin_unlock_irqrestore(&console_lock, f);
	return err;
}

void console_put_raw(char c)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);

	emit(c);
	spin_unlock_irqrestore(&console_lock, f);
}

const char *console_backend(void)
{
	if (console_uart.ops)
		return console_uart.ops->name;
	return sbi_info()->dbcn ? "sbi-dbcn" : "sbi-legacy";
}
