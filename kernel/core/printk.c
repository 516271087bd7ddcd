/*
 * kprintf() and panic(): the kernel's formatted output on the console.
 */
#include "core/printk.h"

#include <stdarg.h>

#include "dev/console.h"
#include "dev/power.h"
#include "lib/fmt.h"

static printk_sink_fn *printk_sink;	/* [a] set once, at boot */
static bool printk_ktap;		/* [a] a KTAP stream is open */

void printk_set_sink(printk_sink_fn *sink)
{
	__atomic_store_n(&printk_sink, sink, __ATOMIC_RELEASE);
}

void printk_set_ktap(bool on)
{
	__atomic_store_n(&printk_ktap, on, __ATOMIC_RELAXED);
}

const char *printk_diag(void)
{
	return __atomic_load_n(&printk_ktap, __ATOMIC_RELAXED) ? "# " : "";
}

static void vkprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_MAX];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	printk_sink_fn *sink = __atomic_load_n(&printk_sink, __ATOMIC_ACQUIRE);

	if (n < 0)
		return;
	if (sink)
		sink(buf, (size_t)n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	console_takeover();
	kprintf("panic: ");
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	power_off(POWER_FAIL_PANIC);
}
