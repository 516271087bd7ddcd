/*
 * Per-hart data.  Each hart that runs the kernel has one struct hart;
 * while it runs in the kernel, tp points at it and sscratch is 0 (trap
 * entry relies on this to tell a trap from the kernel from one from user
 * mode, where sscratch will hold the struct hart pointer and tp the
 * user's TLS pointer).
 *
 * Field legend: [I] immutable after bring-up; [h] touched only by the
 * owning hart (with interrupts off where an interrupt handler also
 * touches it); [r] the hart's run-queue lock; [a] atomic.
 * Trap entry (trap.S) reads the stack fields at the top, at offsets
 * generated from this struct (arch/riscv/asm-offsets.c).
 */
#ifndef NUTHATCH_HART_H
#define NUTHATCH_HART_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/riscv/arch.h"
#include "lib/platform.h"
#include "sched/sched.h"

#define HART_MAX_HELD		8	/* spinlocks one hart may hold at once */
#define KSTACK_GUARD_SIZE	16384	/* kstack.h's KSTACK_GUARD */
#define OVERFLOW_STACK_SIZE	4096	/* one frame, from the direct map */

struct fault_catch;
struct kstack;
struct task;
struct vmspace;
struct spinlock;

struct hart {
	uintptr_t kstack_lo;		/* [h] bottom of the running task's stack (asm) */
	uintptr_t overflow_sp;		/* [I] top of the overflow stack (asm) */
	uintptr_t trapped_sp;		/* [h] sp of a trap that overflowed (asm) */
	uintptr_t kstack_guard;		/* [h] bottom of its guard area (asm) */
	unsigned nheld;			/* [h] spinlocks held (spinlock.h: 32) */
	uintptr_t kstack_hi;		/* [h] top of the running task's stack (asm) */
	uint64_t hartid;		/* [I] the platform's hart id */
	unsigned index;			/* [I] dense index, boot hart = 0 */
	bool online;			/* [a] running the scheduler */
	struct task *current;		/* [h] written at switch, under [r] */
	struct task *idle;		/* [I] */
	struct task *switched_from;	/* [h] for sched_finish_switch */
	struct task *migrating;		/* [h] leaves after the switch */
	uint64_t code_gen_seen;		/* [h] vm_tlb_code_gen at its last fence.i */
	struct runqueue rq;		/* its own lock */
	bool need_resched;		/* [a] preempt at the next chance */
	unsigned kick_deferred;		/* [h] a wake-up here sets need_resched
					   only: sched_kick_point acts on it */
	unsigned trap_depth;		/* [h] nested traps being handled */
	bool trap_from_user;		/* [h] the interrupt being handled came
					   from user mode (time accounting) */
	uint64_t timer_ticks;		/* [h] timer interrupts taken */
	uint64_t timer_deadline;	/* [h] next tick, in timer ticks */
	uint64_t timer_next;		/* [h] what the timer is set to */
	uint64_t kstack_gen_seen;	/* [a] stack-unmap generation fenced */
	uint64_t ipis;			/* [h] software interrupts taken */
	struct vmspace *vm;		/* [h] the space installed (vm_tlb.c) */
	uint64_t vm_asid;		/* [h] the ASID it runs under here */
	uint64_t vm_last_id;		/* [h] last space installed (no ASIDs) */
	uint64_t asid_gen;		/* [h] ASID generation flushed for */
	struct task *fp_owner;		/* [h] whose FP state the registers hold
					   (if its fp_hart names us: sched.c) */
	uint64_t irqs;			/* [h] external interrupts taken */
	uint64_t ipc_fast;		/* [h] IPC fast-path switches (read by any) */
	struct fault_catch *fault_catch; /* [h] armed before tasks exist */
	struct spinlock *held[HART_MAX_HELD];	/* [h] in acquisition order (debug) */
	bool lock_catch;		/* [h] a self-test expects a lock report */
	unsigned lock_violations;	/* [h] reports caught */
};

extern struct hart harts[PLAT_MAX_HARTS];
extern unsigned nharts_online;	/* [a] */

/* The calling hart's struct (from tp). */
static inline struct hart *hart_self(void)
{
	return (struct hart *)arch_percpu();
}

/* Set up the boot hart's struct and point tp at it. */
void hart_init_boot(uint64_t hartid, uintptr_t stack_lo, uintptr_t stack_hi);

/* Record the stack now running on @h, for trap entry's overflow check.
 * A static stack (slot ~0) has no guard area below it. */
static inline void hart_set_stack(struct hart *h, uintptr_t lo, uintptr_t hi,
				  bool guarded)
{
	h->kstack_lo = lo;
	h->kstack_hi = hi;
	h->kstack_guard = guarded ? lo - KSTACK_GUARD_SIZE : lo;
}

/* Bit i set: the hart with dense index i runs the scheduler. */
uint64_t hart_online_mask(void);

/* @h joins the scheduler: set online and its bit in the mask. */
void hart_set_online(struct hart *h);

/* The struct hart of the hart with platform id @hartid, or NULL. */
struct hart *hart_by_id(uint64_t hartid);

#endif
