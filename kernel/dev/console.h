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

#include <nuthatch/device.h>

#include "lib/platform.h"

struct notify;

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

/*
 * The handover to a user console server.  console_claim gives the UART
 * to the caller (the kernel stops taking input and lets device_open and
 * irq_bind have the device and its line) and returns the claim object
 * (NH_OBJ_CONSOLE, one reference) with the UART's description in *@out;
 * -NH_EBUSY while another claim lives, -NH_ENODEV without a UART.  Until
 * its last reference goes, console_write appends each call whole to the
 * log (64 KiB; a call that does not fit is dropped and counted) and the
 * server, told by @bits on @n, drains it with console_log_read between
 * its own writes.  The last reference gives the UART back: re-set, the
 * log written out, input by interrupt again where the line is free.
 */
void *console_claim(struct notify *n, uint64_t bits, struct nh_console *out, int *err);
bool console_claimed(void);
void console_claim_init(void);

/* Up to @len bytes of the log; *@lost the bytes dropped since the last
 * read.  0 when empty (which also says the server wrote the last ones). */
long console_log_read(void *buf, size_t len, uint64_t *lost);

/* Tell the claimer of new log bytes.  console_write cannot (it runs under
 * any lock); system calls do after writing and the tick does. */
void console_kick(void);

/* console_write for a task (no lock held): while claimed, -NH_EAGAIN
 * if the log has no room for all @n bytes, written nowhere. */
long console_write_user(const char *s, size_t n);

/* Before a power-off: wait until the server has written all of the log
 * (at most @ns). */
void console_drain(uint64_t ns);

/* A panic takes the UART back at once and writes out the log. */
void console_takeover(void);

#endif
