/*
 * The console backends, the lock that makes output line-atomic, and the
 * handover of the UART to a user console server (the claim): while it is
 * claimed the kernel's lines go into the log ring, which the server
 * drains between its own writes, so the two never interleave.
 */
#include "dev/console.h"

#include <nuthatch/errno.h>

#include "arch/riscv/sbi.h"
#include "dev/uart.h"
#include "dev/irq.h"
#include "mm/kmap.h"
#include "core/printk.h"
#include "core/boot.h"
#include "core/spinlock.h"
#include "ipc/notify.h"
#include "obj/handle.h"
#include "sched/waitq.h"
#include "sched/timer.h"

#define RX_SIZE	256	/* power of two */
#define LOG_SIZE (64 * 1024)	/* power of two */

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
static bool rx_on;			/* [console_lock] the kernel takes input */

/*
 * The claim (one at a time).  refs counts its handles [atomic]; the rest
 * is [console_lock] but taken.  While claimed, console_write appends whole calls to
 * log (a call that does not fit is dropped and counted) and the UART is
 * the server's; handed says the server has taken bytes and not yet come
 * back for more (so it may still be writing them).  kick: log has bytes
 * the server has not been told of.
 */
static struct console_claim {
	uint32_t refs;
	uint32_t taken;		/* [atomic] from console_claim until released */
	bool had_rx;		/* the kernel took input before the claim */
	bool claimed, handed, kick, panicking;
	struct notify *n;
	uint64_t bits;
	char log[LOG_SIZE];
	uint32_t head, tail;	/* free-running indices */
	uint64_t lost;		/* bytes of whole calls dropped */
} claim;

static void emit(char c)
{
	if (console_uart.ops)
		console_uart.ops->putc(&console_uart, c);
	else
		sbi_console_putc(c);
}

static void emit_all(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			emit('\r');
		emit(s[i]);
	}
}

static bool log_owned(void)
{
	return claim.claimed && !claim.panicking;
}

/* Append @n bytes whole to the log: false (nothing taken) if they do not fit. */
static bool log_put(const char *s, size_t n)
{
	if (LOG_SIZE - (claim.head - claim.tail) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		claim.log[claim.head++ % LOG_SIZE] = s[i];
	claim.kick = claim.kick || n;
	return true;
}

void console_write(const char *s, size_t n)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);

	if (log_owned() && !log_put(s, n))
		claim.lost += n;	/* the kernel cannot wait: counted */
	else if (!log_owned())
		emit_all(s, n);
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
	rx_on = true;
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

/* ---- the claim ---------------------------------------------------------- */

bool console_claimed(void)
{
	return __atomic_load_n(&claim.claimed, __ATOMIC_ACQUIRE);
}

/* The UART comes back: polled output as at boot, and the log written out. */
static void claim_release(void)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);
	struct notify *n = claim.n;
	bool rx;

	if (console_uart.ops)
		console_uart.ops->init(&console_uart);
	while (claim.tail != claim.head) {
		char c = claim.log[claim.tail++ % LOG_SIZE];

		emit_all(&c, 1);
	}
	__atomic_store_n(&claim.claimed, false, __ATOMIC_RELEASE);
	claim.n = 0;
	claim.handed = claim.kick = false;
	claim.lost = 0;
	rx = claim.had_rx;
	spin_unlock_irqrestore(&console_lock, f);
	notify_put(n);
	if (rx)
		console_rx_enable();	/* fails if a user binding keeps the line */
	__atomic_store_n(&claim.taken, 0, __ATOMIC_RELEASE);
}

static void claim_get(void *o)
{
	__atomic_fetch_add(&((struct console_claim *)o)->refs, 1, __ATOMIC_RELAXED);
}

static void claim_put(void *o)
{
	struct console_claim *c = o;

	if (!__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL))
		claim_release();	/* taken stays set until it is done */
}

/* The kernel gives its input line up: the claimer's driver binds it. */
static void rx_give_up(void)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);
	bool was = rx_on;

	if (was)
		console_uart.ops->rx_irq(&console_uart, false);
	rx_on = false;
	claim.had_rx = was;
	spin_unlock_irqrestore(&console_lock, f);
	if (was)
		irq_unregister(console_irq);
}

void *console_claim(struct notify *n, uint64_t bits, struct nh_console *out, int *err)
{
	const struct platform *p = &boot_platform;
	irqflags_t f;
	uint32_t no = 0;

	*err = console_uart.ops ? 0 : -NH_ENODEV;
	if (!*err && !__atomic_compare_exchange_n(&claim.taken, &no, 1, false,
						  __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		*err = -NH_EBUSY;
	if (*err)
		return 0;
	*out = (struct nh_console){ .irq = console_irq, .shift = p->console.reg_shift,
				    .width = p->console.reg_io_width,
				    .offset = p->console.base & 4095 };
	for (size_t i = 0; i + 1 < sizeof(out->compatible) && p->console.compatible[i]; i++)
		out->compatible[i] = p->console.compatible[i];
	rx_give_up();
	notify_get(n);
	f = spin_lock_irqsave(&console_lock);
	claim.refs = 1;
	claim.n = n;
	claim.bits = bits;
	claim.kick = claim.head != claim.tail;
	__atomic_store_n(&claim.claimed, true, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&console_lock, f);
	return &claim;
}

long console_log_read(void *buf, size_t len, uint64_t *lost)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);
	size_t n = 0;

	while (n < len && claim.tail != claim.head)
		((char *)buf)[n++] = claim.log[claim.tail++ % LOG_SIZE];
	claim.handed = n != 0;
	*lost = claim.lost;
	claim.lost = 0;
	spin_unlock_irqrestore(&console_lock, f);
	return (long)n;
}

void console_kick(void)
{
	struct notify *n = 0;
	uint64_t bits = 0;
	irqflags_t f;

	if (!__atomic_load_n(&claim.kick, __ATOMIC_RELAXED))
		return;
	f = spin_lock_irqsave(&console_lock);
	if (claim.kick && claim.n) {
		n = claim.n;
		bits = claim.bits;
		notify_get(n);
	}
	claim.kick = false;
	spin_unlock_irqrestore(&console_lock, f);
	if (n) {
		notify_signal(n, bits);
		notify_put(n);
	}
}

long console_write_user(const char *s, size_t n)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);
	bool fits = true;

	if (log_owned())
		fits = log_put(s, n);	/* (a task waits for room instead) */
	else
		emit_all(s, n);
	spin_unlock_irqrestore(&console_lock, f);
	console_kick();
	return fits ? 0 : -NH_EAGAIN;
}

static bool drained(void)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);
	bool done = !log_owned() || (claim.head == claim.tail && !claim.handed);

	spin_unlock_irqrestore(&console_lock, f);
	return done;
}

void console_drain(uint64_t ns)
{
	uint64_t end = clock_ns() + ns;

	console_kick();
	while (!drained() && clock_ns() < end)
		task_sleep_ns(1000000);
}

void console_takeover(void)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);

	if (log_owned()) {
		claim.panicking = true;
		emit_all("\n", 1);
		while (claim.tail != claim.head) {
			char c = claim.log[claim.tail++ % LOG_SIZE];

			emit_all(&c, 1);
		}
	}
	spin_unlock_irqrestore(&console_lock, f);
}

void console_claim_init(void)
{
	static const struct handle_type_ops ops = { .get = claim_get, .put = claim_put };

	handle_type_register(NH_OBJ_CONSOLE, &ops);
}
