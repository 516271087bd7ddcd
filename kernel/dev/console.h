/*
 * The kernel console: early output through SBI, then the DT's UART.
 * Each console_write() call is emitted whole under the console lock, so
 * lines printed by different harts never interleave.
 */
#ifndef NUTHATCH_CONSOLE_H
#define NUTHATCH_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/platform.h"

/* Become printk's sink: early output goes through SBI until
 * console_use_uart switches to the UART.  The first thing kmain does. */
void console_init(void);

/* Write @n bytes ("\n" becomes "\r\n"), atomically with respect to others. */
void console_write(const char *s, size_t n);

/*
 * Switch output from SBI to the platform's UART (needs ioremap, so the
 * kernel map must be up).  Returns 0, or -NH_ENODEV when the platform has
 * no UART the kernel drives (output stays on SBI).
 */
int console_use_uart(const struct platform *p);

/*
 * Take input through the UART's receive interrupt (via the PLIC) into a
 * small buffer.  0, -NH_ENODEV (no UART or no interrupt), or irq errors.
 */
int console_rx_enable(void);

/* The next received byte, or -NH_EAGAIN when the buffer is empty. */
int console_getc(void);

/* Bytes dropped because the input buffer was full. */
uint64_t console_rx_dropped(void);

/*
 * UART internal loopback on or off (self-tests).  While on, output does
 * not reach the line: print nothing.  -NH_ENOTSUP where the UART has none.
 */
int console_loopback(bool on);

/* Send one byte to the UART without newline translation (self-tests). */
void console_put_raw(char c);

/* The name of the backend in use ("sbi-legacy", "sbi-dbcn", "8250"...). */
const char *console_backend(void);

#endif
