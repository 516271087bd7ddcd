/*
 * Per-task kernel stacks, virtually mapped (as Linux's VMAP_STACK): each
 * stack is 16 KiB of single frames (not necessarily contiguous) mapped in
 * a slot of the stack area, with 16 KiB of unmapped guard below it, so an
 * overflow faults instead of corrupting a neighbour.
 *
 *   KSTACK_AREA + slot * 32 KiB:  [ guard 16 KiB | stack 16 KiB ]
 *
 * The area's page tables are created at boot (kmap_use_frames), so
 * mapping a stack never allocates a table.  Each hart caches up to
 * KSTACK_CACHE stacks, still mapped; others are unmapped and wait until
 * every online hart has fenced its TLB (batched: each hart fences at its
 * next timer interrupt when the flush generation moved), and only then
 * are their frames freed.  Any hart may hold a stale (invalid) entry for a stack it never
 * ran on, so every new task's stack is fenced by each hart before that
 * hart first runs the task (struct task.stack_flush), and stacks are
 * only read or cleared by the reaper through the direct map.
 */
#ifndef NUTHATCH_KSTACK_H
#define NUTHATCH_KSTACK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/riscv/memlayout.h"
#include "sched/task.h"

#define KSTACK_AREA	VMAP_BASE
#define KSTACK_SLOT	(2 * KSTACK_SIZE)
#define KSTACK_GUARD	KSTACK_SIZE
#define KSTACK_SLOTS	4096			/* 128 MiB of address space */
#define KSTACK_CACHE	2
#define KSTACK_PENDING	64		/* unmapped, awaiting every hart's fence */

/*
 * A stack for a new task: from this hart's cache, or a new slot with new
 * frames.  Sets *fresh when it was just mapped.  -NH_ENOMEM, -NH_ENOSPC.
 */
int kstack_alloc(struct kstack *s, bool *fresh);

/* Give a stack back; returns how many bytes of it were ever used. */
uint32_t kstack_free(struct kstack *s);

/* kstack_free if this hart's cache has room (so that nothing sleeps:
 * callable with interrupts off), the bytes used in *used; false, and
 * nothing done, if not.  Interrupts off on entry. */
bool kstack_free_cached(struct kstack *s, uint32_t *used);

/*
 * Give every cached stack back and wait (sleeping, up to a tick) until
 * every pending one is freed: leak checks settle on this.
 */
void kstack_drain(void);
void kstack_drain_caches(void);

/* At a timer interrupt: fence this hart if stacks were unmapped since. */
void kstack_sync_hart(void);

/* Stacks allocated and not freed (cached ones excluded). */
unsigned kstack_in_use(void);

/* Is @addr in the guard below some stack? Returns the slot or -1. */
long kstack_guard_slot(uintptr_t addr);

#endif
