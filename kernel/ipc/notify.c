/*
 * Notifications (see notify.h): a word of bits behind a wait queue.
 * Entry points: notify_create/get/put, notify_signal, notify_wait,
 * notify_poll, notify_bind/unbind.  Relies on waitq.c for sleeping and
 * the restart rule, slab.c for the objects, handle.c for NH_OBJ_NOTIFY.
 */
#include "ipc/notify.h"

#include <nuthatch/errno.h>

#include "obj/handle.h"
#include "sched/sched.h"
#include "mm/slab.h"

static struct slab_cache notify_cache;
static uint64_t notify_count;	/* [a] */

static void obj_get(void *n)
{
	notify_get(n);
}

static void obj_put(void *n)
{
	notify_put(n);
}

void notify_init(void)
{
	static const struct handle_type_ops ops = { .get = obj_get, .put = obj_put };

	slab_cache_init(&notify_cache, "notify", sizeof(struct notify));
	handle_type_register(NH_OBJ_NOTIFY, &ops);
}

struct notify *notify_create(int *err)
{
	struct notify *n = slab_alloc(&notify_cache);

	if (!n) {
		*err = -NH_ENOMEM;
		return 0;
	}
	*n = (struct notify){ .refs = 1 };
	waitq_init(&n->wq, "notify: word");
	__atomic_fetch_add(&notify_count, 1, __ATOMIC_RELAXED);
	return n;
}

void notify_get(struct notify *n)
{
	__atomic_fetch_add(&n->refs, 1, __ATOMIC_RELAXED);
}

void notify_put(struct notify *n)
{
	if (__atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL))
		return;
	slab_free(&notify_cache, n);
	__atomic_fetch_sub(&notify_count, 1, __ATOMIC_RELAXED);
}

void notify_signal(struct notify *n, uint64_t bits)
{
	void (*fn)(void *) = 0;
	void *ctx = 0;
	irqflags_t f;

	if (!bits)
		return;
	f = spin_lock_irqsave(&n->wq.lock);
	sched_defer_kick();	/* a waiter that preempts us runs at once */
	n->word |= bits;
	if (!waitq_wake_one_locked(&n->wq)) {	/* nobody sleeps here */
		fn = n->bound_fn;
		ctx = n->bound_ctx;
		if (fn)		/* unbind waits for this call to end */
			__atomic_fetch_add(&n->calling, 1, __ATOMIC_ACQUIRE);
	}
	spin_unlock(&n->wq.lock);
	sched_kick_point(f);
	if (fn) {
		fn(ctx);
		__atomic_fetch_sub(&n->calling, 1, __ATOMIC_RELEASE);
	}
}

/* The word, cleared; wq.lock held. */
static uint64_t take(struct notify *n)
{
	uint64_t w = n->word;

	n->word = 0;
	return w;
}

struct taker {
	struct notify *n;
	uint64_t bits;
};

/* The wait condition, evaluated under wq.lock: true once it took a
 * non-zero word (so taking and clearing are one step with the check). */
static bool took_word(void *arg)
{
	struct taker *tk = arg;

	tk->bits = take(tk->n);
	return tk->bits != 0;
}

int notify_wait(struct notify *n, uint64_t *bits)
{
	struct taker tk = { n, 0 };
	int err = waitq_wait(&n->wq, true, 0, took_word, &tk);

	*bits = err ? 0 : tk.bits;
	return err;
}

uint64_t notify_poll(struct notify *n)
{
	irqflags_t f = spin_lock_irqsave(&n->wq.lock);
	uint64_t w = take(n);

	spin_unlock_irqrestore(&n->wq.lock, f);
	return w;
}

int notify_bind(struct notify *n, void (*fn)(void *ctx), void *ctx)
{
	irqflags_t f;
	int err = 0;

	if (!fn)
		return -NH_EINVAL;
	f = spin_lock_irqsave(&n->wq.lock);
	if (n->bound_fn) {
		err = -NH_EBUSY;
	} else {
		n->bound_fn = fn;
		n->bound_ctx = ctx;
	}
	spin_unlock_irqrestore(&n->wq.lock, f);
	return err;
}

void notify_unbind(struct notify *n)
{
	irqflags_t f = spin_lock_irqsave(&n->wq.lock);

	n->bound_fn = 0;
	n->bound_ctx = 0;
	spin_unlock_irqrestore(&n->wq.lock, f);
	while (__atomic_load_n(&n->calling, __ATOMIC_ACQUIRE))	/* a call under way */
		arch_cpu_relax();
}

uint64_t notify_live(void)
{
	return __atomic_load_n(&notify_count, __ATOMIC_RELAXED);
}
