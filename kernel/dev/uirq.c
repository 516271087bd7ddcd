/*
 * User-bound interrupt lines (see uirq.h): the table of bound lines, the
 * handler that signals their notifications, and bind/ack/unbind on top of
 * irq.c's held lines.
 */
#include "dev/uirq.h"

#include <nuthatch/errno.h>

#include "dev/device.h"
#include "obj/handle.h"
#include "dev/irq.h"
#include "ipc/notify.h"
#include "mm/slab.h"
#include "core/spinlock.h"

static struct slab_cache uirq_cache;
static struct spinlock uirq_lock = SPINLOCK_INIT("uirq: bound lines", RANK_UIRQ);
static struct uirq *bound[IRQ_MAX];	/* [uirq_lock] */

static void obj_get(void *u)
{
	uirq_get(u);
}

static void obj_put(void *u)
{
	uirq_put(u);
}

void uirq_init(void)
{
	static const struct handle_type_ops ops = { .get = obj_get, .put = obj_put };

	slab_cache_init(&uirq_cache, "uirq", sizeof(struct uirq));
	handle_type_register(NH_OBJ_IRQ, &ops);
}

/* The held line fired (interrupt context, nothing held). */
static void fire(void *ctx)
{
	uint32_t irq = (uint32_t)(uintptr_t)ctx;
	irqflags_t f = spin_lock_irqsave(&uirq_lock);
	struct uirq *u = bound[irq];
	struct notify *n = u ? u->n : 0;
	uint64_t bits = u ? u->bits : 0;

	if (n)
		notify_get(n);
	spin_unlock_irqrestore(&uirq_lock, f);
	if (n) {
		notify_signal(n, bits);
		notify_put(n);
	}
}

/* Claim the table entry for @u: 0 or -NH_EBUSY. */
static int claim(struct uirq *u)
{
	irqflags_t f = spin_lock_irqsave(&uirq_lock);
	int err = bound[u->irq] ? -NH_EBUSY : 0;

	if (!err)
		bound[u->irq] = u;
	spin_unlock_irqrestore(&uirq_lock, f);
	return err;
}

static void release(struct uirq *u)
{
	irqflags_t f = spin_lock_irqsave(&uirq_lock);

	bound[u->irq] = 0;
	spin_unlock_irqrestore(&uirq_lock, f);
}

struct uirq *uirq_bind(uint32_t irq, struct notify *n, uint64_t bits, int *err)
{
	struct uirq *u;

	*err = bits ? device_irq_check(irq) : -NH_EINVAL;
	if (*err)
		return 0;
	u = slab_alloc(&uirq_cache);
	if (!u) {
		*err = -NH_ENOMEM;
		return 0;
	}
	*u = (struct uirq){ .refs = 1, .irq = irq, .n = n, .bits = bits };
	*err = claim(u);
	if (!*err) {
		*err = irq_register_held(irq, fire, (void *)(uintptr_t)irq);
		if (*err)
			release(u);	/* the kernel has a handler there */
	}
	if (*err) {
		slab_free(&uirq_cache, u);
		return 0;
	}
	notify_get(n);
	return u;
}

void uirq_ack(struct uirq *u)
{
	irq_complete(u->irq);
}

void uirq_get(struct uirq *u)
{
	__atomic_fetch_add(&u->refs, 1, __ATOMIC_RELAXED);
}

void uirq_put(struct uirq *u)
{
	if (__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL))
		return;
	irq_unregister(u->irq);	/* completed if waiting, then masked */
	release(u);		/* a handler still running took its own ref */
	notify_put(u->n);
	slab_free(&uirq_cache, u);
}
