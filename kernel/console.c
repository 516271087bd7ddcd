/*
 * The console backends and the lock that makes output line-atomic.
 */
#include "console.h"

#include <nuthatch/errno.h>

#include "arch/riscv/sbi.h"
#include "drivers/uart.h"
#include "kmap.h"
#include "spinlock.h"

static struct spinlock console_lock = SPINLOCK_INIT("console");
static struct uart console_uart;	/* [console_lock] ops NULL: SBI */

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
	spin_unlock_irqrestore(&console_lock, f);
	return 0;
}

const char *console_backend(void)
{
	if (console_uart.ops)
		return console_uart.ops->name;
	return sbi_info()->dbcn ? "sbi-dbcn" : "sbi-legacy";
}
