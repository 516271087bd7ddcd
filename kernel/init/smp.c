/*
 * SMP bring-up (see smp.h).
 */
#include "init/smp.h"

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "dev/plic.h"
#include "mm/frame.h"
#include "core/hart.h"
#include "mm/kmap.h"
#include "core/printk.h"
#include "sched/task.h"
#include "sched/timer.h"

#define START_TIMEOUT_NS	2000000000ull	/* a busy QEMU host can be slow */

extern char _start_secondary[];
extern uint64_t smp_boot_info[2];
uint64_t smp_boot_sp[PLAT_MAX_HARTS];	/* read by head.S */

int smp_overflow_stack(struct hart *h)
{
	uint64_t pa = frame_alloc_zeroed();

	if (!pa)
		return -NH_ENOMEM;
	h->overflow_sp = (uintptr_t)kmap_phys(pa) + OVERFLOW_STACK_SIZE;
	return 0;
}

void smp_secondary_main(uint64_t hartid, unsigned index)
{
	struct hart *h = &harts[index];

	arch_set_percpu(h);
	arch_trap_init();
	hart_set_stack(h, h->idle->stack.lo, h->idle->stack.hi, true);
	plic_hart_init(hartid);
	timer_start_hart();
	arch_irq_sources_enable();
	hart_set_online(h);
	__atomic_fetch_add(&nharts_online, 1, __ATOMIC_RELAXED);
	arch_send_ipi(harts[0].hartid);	/* the boot hart waits for this, asleep */
	arch_irq_enable();
	sched_idle();
}

/* Prepare hart @index and start it; wait until it is online. */
static int start_one(uint64_t hartid, unsigned index, uint64_t image_offset)
{
	struct hart *h = &harts[index];
	struct task *idle;
	uint64_t end;
	int err;

	h->hartid = hartid;
	h->index = index;
	idle = task_create_idle(index, &err);
	if (!idle)
		return err;
	err = smp_overflow_stack(h);
	if (err)
		return err;
	sched_init_hart(h, idle);
	smp_boot_sp[index] = idle->stack.hi;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	err = arch_hart_start(hartid, (uint64_t)_start_secondary - image_offset,
			      index);
	if (err)
		return err;
	end = clock_ns() + START_TIMEOUT_NS;
	/* Asleep, not spinning: the new hart's IPI (or the tick) wakes this
	 * one, and under QEMU's round-robin a spin would take half of the
	 * new hart's time. */
	while (!__atomic_load_n(&h->online, __ATOMIC_ACQUIRE)) {
		if (clock_ns() > end)
			return -NH_ETIMEDOUT;
		arch_wait_for_interrupt();
	}
	return 0;
}

unsigned smp_start(const struct platform *p, uint64_t image_offset)
{
	unsigned index = 1, up = 0;

	smp_boot_info[0] = arch_satp(kmap_root());
	smp_boot_info[1] = image_offset;
	for (unsigned i = 0; i < p->nharts && index < PLAT_MAX_HARTS; i++) {
		int err;

		if (p->harts[i] == harts[0].hartid)
			continue;
		err = start_one(p->harts[i], index, image_offset);
		if (err)
			kprintf("smp: hart %u did not start: %s\n", p->harts[i],
				nh_strerror(err));
		else
			up++;
		/* Once HSM took the start request, a late hart may still come
		 * up with this index: never hand it to another hart. */
		if (err != -NH_ENOMEM && err != -NH_EIO && err != -NH_ENOSYS)
			index++;
	}
	return up;
}
