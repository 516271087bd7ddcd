/*
 * The bracket around every trap but a system call: its nesting depth
 * (hart->trap_depth: what may sleep, what a fault may blame) on the way
 * in, and on the way out either task control's user-boundary check
 * (back to user mode) or the preemption point of the kernel code the
 * trap interrupted.
 */
#ifndef NUTHATCH_BOUNDARY_H
#define NUTHATCH_BOUNDARY_H

#include "core/hart.h"

struct trap_frame;

/* A trap is being handled on the calling hart: which it returns.
 * (Inline, like boundary_close: the fast page-fault path counts.) */
static inline struct hart *boundary_enter(void)
{
	struct hart *h = hart_self();

	h->trap_depth++;
	return h;
}

/* The trap in @tf is handled: leave it, maybe switching first (the
 * caller may resume on another hart).  Interrupts stay off. */
void boundary_leave(struct trap_frame *tf);

/* The trap is over as far as depth goes, without the way out: the fast
 * page-fault path going straight back to user mode, or a task about to
 * end inside the trap. */
static inline void boundary_close(void)
{
	hart_self()->trap_depth--;
}

#endif
