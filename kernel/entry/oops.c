/*
 * Oopses (oops.h): cause, address, hart and task by name; the trap
 * frame's registers; the backtrace, walking frame records within the
 * running task's kernel stack only.
 */
#include "entry/oops.h"

#include "arch/riscv/trap.h"
#include "core/hart.h"
#include "core/printk.h"
#include "lib/ksyms.h"
#include "sched/task.h"

#define BACKTRACE_MAX	24

static void print_symbol(const char *what, uint64_t addr)
{
	uintptr_t off;
	const char *name = ksyms_lookup(addr, &off);

	if (name)
		kprintf("%s  %s 0x%lx %s+0x%lx\n", printk_diag(), what, addr, name, off);
	else
		kprintf("%s  %s 0x%lx ?\n", printk_diag(), what, addr);
}

/* Follow frame records from @fp while they stay on this hart's stack. */
static void backtrace(uint64_t fp, uint64_t pc, uint64_t ra)
{
	struct hart *h = hart_self();

	print_symbol("at", pc);
	print_symbol("from", ra);
	for (int depth = 0; depth < BACKTRACE_MAX; depth++) {
		if ((fp & 7) || fp < h->kstack_lo + 16 || fp > h->kstack_hi)
			break;
		uint64_t ret = trap_record_ra(fp);
		uint64_t next = trap_record_fp(fp);

		if (!ksyms_lookup(ret, &(uintptr_t){ 0 }))
			break;
		print_symbol("from", ret);
		if (next <= fp)
			break;
		fp = next;
	}
}

static void print_regs(const struct trap_frame *tf)
{
	for (unsigned i = 0; i < 32; i += 4)
		kprintf("%s  %-3s %016lx %-3s %016lx %-3s %016lx %-3s %016lx\n",
			printk_diag(), trap_reg_name(i), tf->regs[i],
			trap_reg_name(i + 1), tf->regs[i + 1],
			trap_reg_name(i + 2), tf->regs[i + 2],
			trap_reg_name(i + 3), tf->regs[i + 3]);
	kprintf("%s  sstatus %016lx\n", printk_diag(), tf->sstatus);
}

bool oops_stack_overflowed(const struct hart *h, const struct trap_frame *tf)
{
	return (tf->regs[2] >= h->kstack_guard && tf->regs[2] < h->kstack_lo + 512) ||
	       (tf->stval >= h->kstack_guard && tf->stval < h->kstack_lo);
}

void oops_print(const struct trap_frame *tf)
{
	struct hart *h = hart_self();
	struct task *t = h->current;
	const char *pfx = printk_diag();

	if (t && oops_stack_overflowed(h, tf))
		kprintf("%soops: kernel stack overflow in task %lu [%s], sp 0x%lx\n",
			pfx, t->id, t->name, tf->regs[2]);
	kprintf("%soops: %s at pc 0x%lx, address (stval) 0x%lx, hart %lu, task %lu [%s]\n",
		pfx, trap_cause_name(tf->scause), tf->regs[0], tf->stval,
		h->hartid, t ? t->id : 0, t ? t->name : "boot");
	print_regs(tf);
	backtrace(tf->regs[8], tf->regs[0], tf->regs[1]);
}
