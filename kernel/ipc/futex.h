/*
 * Futexes: a task sleeps on a 32-bit word of user memory while the word
 * holds an expected value; another wakes up to N sleepers on the same
 * word.  User-level locks, condition variables and thread joins are
 * built on them (the fast path never enters the kernel).
 *
 * Keys.  A futex is named by a base and an offset (vm_futex_key): for a
 * word in a shared mapping of a memory object (NH_MAP_SHARED), the
 * struct memobj * and the word's offset in it, so that tasks of every
 * space that maps the object meet there, at whatever address each maps
 * it (Linux's shared futexes: how two processes share a pipe's ring);
 * for any other word, the struct vmspace * and its 4-byte-aligned user
 * va (private futexes).  Keys are never dereferenced: a key whose object
 * was freed and reused while its waiter slept can at worst wake it
 * spuriously, which every futex user allows for.
 *
 * Buckets.  Keys hash into FUTEX_BUCKETS buckets, each with its own lock
 * (RANK_FUTEX: taken holding no space lock, and above none of the locks
 * a user copy's page fault takes, since the word is never read with it
 * held) and FIFO list of waiters.  A waiter is a struct futex_waiter on
 * the sleeping task's kernel stack.
 *
 * No lost wake-ups.  futex_wait queues its waiter under the bucket lock
 * first, then reads the word with no lock held (the read may fault and
 * resolve the fault), then sleeps under the bucket lock only if it is
 * still queued.  A waker stores the new value and then takes the bucket
 * lock.  The two critical sections (queue, wake) are ordered: if the
 * wake's comes first, the store precedes its unlock, which precedes the
 * queueing lock, which precedes the read: the waiter sees the new value
 * and returns -NH_EAGAIN.  If the queueing comes first, the waker finds
 * the waiter queued, unlinks it and wakes it: if it has not slept yet it
 * sees itself unlinked and does not sleep.  Either way the waiter
 * cannot sleep through a wake that followed a change of the word.
 *
 * Field legend: [b] the bucket lock; [I] immutable while queued.
 */
#ifndef NUTHATCH_FUTEX_H
#define NUTHATCH_FUTEX_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"

#define FUTEX_BUCKETS	64	/* a power of two */

struct task;
struct vmspace;

struct futex_waiter {
	struct list_node node;		/* [b] in its bucket; unlinked: woken */
	const void *base;		/* [I] the key: a space or a memory object */
	uint64_t off;			/* [I] ... and the va or the offset */
	struct task *task;		/* [I] the sleeper */
};

/* Set the buckets up (once, at boot). */
void futex_init(void);

/*
 * Is @va a futex address: 4-byte aligned (-NH_EINVAL) and inside the
 * user half (-NH_EFAULT)?  0 if so.
 */
int futex_check_addr(uint64_t va);

/*
 * Sleep on (@s, @va) while the word there holds @val, interruptibly,
 * until woken (0), clock_ns() passes @deadline (when non-zero:
 * -NH_ETIMEDOUT), or the sleep is interrupted (-NH_EINTR from
 * taskctl_interrupt, -TASK_ERESTART for a stop or kill request: the
 * system call restarts).  -NH_EAGAIN at once if the word differs;
 * -NH_EINVAL, -NH_EFAULT for a bad address (misaligned, outside the user
 * half, not mapped or not readable).  The word is read through the
 * calling task's page tables when @s is its own space, else with
 * vm_read.  No locks held on entry.
 */
int futex_wait(struct vmspace *s, uint64_t va, uint32_t val, uint64_t deadline);

/*
 * Wake up to @n waiters on (@s, @va), oldest first.  Returns how many
 * woke.  The address is not read, only checked like futex_wait's
 * (-NH_EINVAL, -NH_EFAULT).  No locks held on entry.
 */
long futex_wake(struct vmspace *s, uint64_t va, uint32_t n);

/* Waiters queued on (@s, @va) now (a snapshot, for tests). */
unsigned futex_waiters(struct vmspace *s, uint64_t va);

/*
 * The clear-tid duty of a dead task (task_release_stack, before its
 * space is dropped): write 0 to the 32-bit word at @va in @s (respecting
 * the region's rights; a failed write is ignored) and wake one waiter
 * there.
 */
void futex_clear_tid(struct vmspace *s, uint64_t va);

#endif
