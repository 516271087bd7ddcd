/*
 * The kernel console: early output through SBI, then the DT's UART.
 * Each console_write() call is emitted whole under the console lock, so
 * lines printed by different harts never interleave.
 */
#ifndef NUTHATCH_CONSOLE_H
#define NUTHATCH_CONSOLE_H

#include <stddef.h>

#include "platform.h"

/* Write @n bytes ("\n" becomes "\r\n"), atomically with respect to others. */
void console_write(const char *s, size_t n);

/*
 * Switch output from SBI to the platform's UART (needs ioremap, so the
 * kernel map must be up).  Returns 0, or -NH_ENODEV when the platform has
 * no UART the kernel drives (output stays on SBI).
 */
int console_use_uart(const struct platform *p);

/* The name of the backend in use ("sbi-legacy", "sbi-dbcn", "8250"...). */
const char *console_backend(void);

#endif
