/*
 * Oopses: what a fatal or unexpected kernel trap prints: the cause and
 * address by name, hart and task, the registers and a symbolized
 * backtrace of the kernel stack.  Lines carry printk_diag()'s prefix.
 */
#ifndef NUTHATCH_OOPS_H
#define NUTHATCH_OOPS_H

#include <stdbool.h>

struct hart;
struct trap_frame;

/* Print the oops for the trap in @tf on the calling hart. */
void oops_print(const struct trap_frame *tf);

/* Did the trap in @tf come from running off the bottom of the running
 * task's kernel stack (into its guard, or to within 512 bytes of it)? */
bool oops_stack_overflowed(const struct hart *h, const struct trap_frame *tf);

#endif
