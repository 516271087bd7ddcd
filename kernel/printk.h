/*
 * Kernel messages.  kprintf() formats into a bounded buffer and hands it
 * to the console in one piece: print whole lines per call.  panic() never
 * returns: it prints, then powers off with a failure verdict.
 */
#ifndef NUTHATCH_PRINTK_H
#define NUTHATCH_PRINTK_H

#define KPRINTF_MAX	512	/* longer output is truncated */

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

#endif
