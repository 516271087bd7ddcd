/*
 * Interrupt lines bound to notifications, for user drivers (NH_OBJ_IRQ).
 * uirq_bind(irq, n, bits) registers the line as *held* (irq.h): when it
 * fires, the kernel's handler signals @bits on @n and leaves the line
 * claimed at the PLIC, so it cannot fire again until the driver has
 * quieted its device and called uirq_ack, which completes it.  The last
 * reference (closing the last handle) unbinds: the line is completed if
 * it was waiting and disabled, and the notification's reference dropped.
 *
 * At most one binding per line.  Who may bind is device.c's decision
 * (device_irq_check): never a line of a device the kernel drives.
 *
 * Locking: uirq_lock (RANK_UIRQ) protects the table of bound lines; the
 * handler takes it with nothing held, takes a reference on the
 * notification, drops it, then signals (notify's lock is ranked below).
 */
#ifndef NUTHATCH_UIRQ_H
#define NUTHATCH_UIRQ_H

#include <stdint.h>

struct notify;

struct uirq {
	int refs;		/* [a] handles */
	uint32_t irq;		/* [I] the PLIC source */
	struct notify *n;	/* [I] holds a reference */
	uint64_t bits;		/* [I] what a firing signals */
};

/* Set up the cache and register NH_OBJ_IRQ (boot). */
void uirq_init(void);

/*
 * Bind line @irq to @n (which gains a reference); a new object with one
 * reference, or NULL and in *err: -NH_EPERM / -NH_EINVAL
 * (device_irq_check), -NH_EBUSY (bound already, or the kernel uses it),
 * -NH_EINVAL (bits 0), -NH_ENOMEM.
 */
struct uirq *uirq_bind(uint32_t irq, struct notify *n, uint64_t bits, int *err);

/* The driver is done with the last firing: complete the line. */
void uirq_ack(struct uirq *u);

void uirq_get(struct uirq *u);
void uirq_put(struct uirq *u);

#endif
