/*
 * Bringing up the other harts: every usable hart in the device tree (never
 * one without an MMU: platform.c leaves those out) is started through SBI
 * HSM, runs with the kernel map, its own idle task, its PLIC context and
 * its timer tick, then joins the scheduler.
 */
#ifndef NUTHATCH_SMP_H
#define NUTHATCH_SMP_H

#include "lib/platform.h"

struct hart;

/* Start every usable hart but the boot hart; returns how many came up. */
unsigned smp_start(const struct platform *p, uint64_t image_offset);

/* Give the calling hart its overflow stack (one frame).  0 or -NH_ENOMEM. */
int smp_overflow_stack(struct hart *h);

#endif
