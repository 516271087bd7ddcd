/*
 * kprintf() and panic(): the kernel's formatted output on the console.
 */
#include "printk.h"

#include <stdarg.h>

#include "console.h"
#include "lib/fmt.h"
#include "power.h"

static void vkprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_MAX];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
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

	kprintf("panic: ");
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	power_off(POWER_FAIL_PANIC);
}
