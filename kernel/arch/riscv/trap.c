/*
 * Trap dispatch: interrupts go to their handlers; an exception in the
 * kernel is either expected (a fault_catch is armed: rewind to it) or
 * fatal (oops: cause and stval by name, registers, a symbolized
 * backtrace; then panic).  Oops lines carry the "# " prefix while a KTAP
 * stream is being printed, so they read as diagnostics.
 */
#include "arch/riscv/trap.h"

#include <nuthatch/errno.h>
#include <nuthatch/task.h>

#include "arch/riscv/arch.h"
#include "core/hart.h"
#include "lib/ksyms.h"
#include "sched/kstack.h"
#include "debug/ktest.h"
#include "core/printk.h"
#include "sched/sched.h"
#include "core/spinlock.h"
#include "sys/syscall.h"
#include "sched/task.h"
#include "ipc/ipc.h"
#include <nuthatch/ipc.h>
#include "mm/vm.h"
#include "sched/taskctl.h"

#define EXC_ILLEGAL_INSN	2
#define EXC_ECALL_U	8
#define EXC_INST_PAGE_FAULT	12
#define EXC_LOAD_PAGE_FAULT	13
#define EXC_STORE_PAGE_FAULT	15

#define BACKTRACE_MAX	24

long fault_catch_call(long (*fn)(void *), void *arg, struct fault_catch *c);

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "task.h's frame size");

static const char *const exc_names[] = {
	[0] = "instruction address misaligned",
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[3] = "breakpoint",
	[4] = "load address misaligned",
	[5] = "load access fault",
	[6] = "store address misaligned",
	[7] = "store access fault",
	[8] = "environment call from U-mode",
	[9] = "environment call from S-mode",
	[12] = "instruction page fault",
	[13] = "load page fault",
	[15] = "store page fault",
};

static const char *const irq_names[] = {
	[IRQ_S_SOFT] = "supervisor software interrupt",
	[IRQ_S_TIMER] = "supervisor timer interrupt",
	[IRQ_S_EXT] = "supervisor external interrupt",
};

const char *trap_cause_name(uint64_t scause)
{
	uint64_t code = scause & ~SCAUSE_INTERRUPT;
	const char *const *t = exc_names;
	uint64_t n = sizeof(exc_names) / sizeof(exc_names[0]);

	if (scause & SCAUSE_INTERRUPT) {
		t = irq_names;
		n = sizeof(irq_names) / sizeof(irq_names[0]);
	}
	if (code < n && t[code])
		return t[code];
	return "unknown cause";
}

static const char *prefix(void)
{
	return ktest_active() ? "# " : "";
}

static void print_symbol(const char *what, uint64_t addr)
{
	uintptr_t off;
	const char *name = ksyms_lookup(addr, &off);

	if (name)
		kprintf("%s  %s 0x%lx %s+0x%lx\n", prefix(), what, addr, name, off);
	else
		kprintf("%s  %s 0x%lx ?\n", prefix(), what, addr);
}

/* Walk frame records (fp - 8 = ra, fp - 16 = caller's fp) on this stack. */
static void backtrace(uint64_t fp, uint64_t pc, uint64_t ra)
{
	struct hart *h = hart_self();

	print_symbol("at", pc);
	print_symbol("from", ra);
	for (int depth = 0; depth < BACKTRACE_MAX; depth++) {
		if ((fp & 7) || fp < h->kstack_lo + 16 || fp > h->kstack_hi)
			break;
		uint64_t ret = ((uint64_t *)fp)[-1];
		uint64_t next = ((uint64_t *)fp)[-2];

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
	static const char *const abi[32] = {
		"pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1",
		"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3",
		"s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
		"t5", "t6",
	};

	for (int i = 0; i < 32; i += 4)
		kprintf("%s  %-3s %016lx %-3s %016lx %-3s %016lx %-3s %016lx\n",
			prefix(), abi[i], tf->regs[i], abi[i + 1], tf->regs[i + 1],
			abi[i + 2], tf->regs[i + 2], abi[i + 3], tf->regs[i + 3]);
	kprintf("%s  sstatus %016lx\n", prefix(), tf->sstatus);
}

static bool stack_overflowed(const struct hart *h, const struct trap_frame *tf)
{
	return (tf->regs[2] >= h->kstack_guard && tf->regs[2] < h->kstack_lo + 512) ||
	       (tf->stval >= h->kstack_guard && tf->stval < h->kstack_lo);
}

static void oops(const struct trap_frame *tf)
{
	struct hart *h = hart_self();
	struct task *t = h->current;

	if (t && stack_overflowed(h, tf))
		kprintf("%soops: kernel stack overflow in task %lu [%s], sp 0x%lx\n",
			prefix(), t->id, t->name, tf->regs[2]);
	kprintf("%soops: %s at pc 0x%lx, address (stval) 0x%lx, hart %lu, task %lu [%s]\n",
		prefix(), trap_cause_name(tf->scause), tf->regs[0], tf->stval,
		h->hartid, t ? t->id : 0, t ? t->name : "boot");
	print_regs(tf);
	backtrace(tf->regs[8], tf->regs[0], tf->regs[1]);
}

/* Rewind @tf to the armed fault_catch_call's return with -NH_EFAULT. */
static void rewind_to_catch(struct trap_frame *tf, struct fault_catch *c)
{
	static const int slot[14] = { 1, 2, 8, 9, 18, 19, 20, 21, 22, 23,
				      24, 25, 26, 27 };

	c->fired = true;
	c->scause = tf->scause;
	c->stval = tf->stval;
	c->sepc = tf->regs[0];
	for (int i = 0; i < 14; i++)
		tf->regs[slot[i]] = c->regs[i];
	tf->regs[0] = c->regs[0];	/* resume at the caller's return */
	tf->regs[10] = (uint64_t)-NH_EFAULT;
}

static int page_fault(struct task *t, const struct trap_frame *tf);

/* Why a kernel fault must take the whole system down, or NULL. */
static const char *fatal_reason(const struct hart *h)
{
	if (!h->current || h->current == h->idle)
		return "in the boot or idle context";
	if (h->trap_depth > 1)
		return "in interrupt context";
	if (h->nheld)
		return "with a spinlock held";
	return 0;
}

/* Where the armed fault_catch of the running context lives: the task's
 * (it may migrate while armed), or the hart's before tasks exist. */
static struct fault_catch **catch_slot(struct hart *h)
{
	return h->current ? &h->current->fault_catch : &h->fault_catch;
}

/* End the task a kernel-mode fault happened for: NH_EXIT_KSTACK when its
 * stack overflowed, else NH_EXIT_KILLED (no kernel addresses in the
 * record); the exit code is -NH_EFAULT either way. */
__attribute__((noreturn))
static void kill_for_kernel_fault(const struct hart *h, const struct trap_frame *tf)
{
	struct task_end e = { .reason = NH_EXIT_KILLED, .code = -NH_EFAULT };

	if (stack_overflowed(h, tf))
		e.reason = NH_EXIT_KSTACK;
	task_exit_as(&e);
}

static void exception(struct trap_frame *tf)
{
	struct hart *h = hart_self();
	struct fault_catch **slot = catch_slot(h), *c = *slot;
	const char *why;

	/* A user copy touching a page not yet present, or shared: resolve it
	 * like the user's own access (no lock is held around user copies). */
	if (c && h->trap_depth == 1 && !h->nheld && (tf->sstatus & SSTATUS_SUM) &&
	    tf->stval < VM_USER_HI && !page_fault(h->current, tf))
		return;
	if (c && h->trap_depth == 1 && !stack_overflowed(h, tf)) {
		*slot = 0;
		if (!c->quiet)
			oops(tf);
		rewind_to_catch(tf, c);
		return;
	}
	*slot = 0;
	oops(tf);
	why = fatal_reason(h);
	if (why)
		panic("fatal kernel fault %s (lock: %s)", why,
		      !h->nheld ? "none" : NH_DEBUG ? h->held[0]->name : "a spinlock");
	kprintf("%soops: killing task %lu [%s]; the system goes on\n", prefix(),
		h->current->id, h->current->name);
	h->trap_depth--;
	kill_for_kernel_fault(h, tf);
}

static void interrupt(struct trap_frame *tf)
{
	switch (tf->scause & ~SCAUSE_INTERRUPT) {
	case IRQ_S_TIMER:
		timer_interrupt();
		break;
	case IRQ_S_SOFT:
		ipi_interrupt();
		break;
	case IRQ_S_EXT:
		irq_external();
		break;
	default:
		oops(tf);
		panic("unexpected interrupt");
	}
}

/* Is the frame on the running task's own stack?  (Not on the overflow
 * stack: a task must never be switched away from there.) */
static bool on_task_stack(const struct hart *h, const struct trap_frame *tf)
{
	return (uintptr_t)tf >= h->kstack_lo && (uintptr_t)tf < h->kstack_hi;
}

static bool from_user(const struct trap_frame *tf)
{
	return !(tf->sstatus & SSTATUS_SPP);
}

/* The access a page-fault cause asks for, or 0 for other causes. */
static unsigned fault_access(uint64_t scause)
{
	switch (scause) {
	case EXC_INST_PAGE_FAULT:
		return VM_EXEC;
	case EXC_LOAD_PAGE_FAULT:
		return VM_READ;
	case EXC_STORE_PAGE_FAULT:
		return VM_WRITE;
	default:
		return 0;
	}
}

/* Resolve a page fault of @t's space (zero-fill, COW, upgrade): 0, or why
 * not (-NH_EFAULT: not a page fault, or against the space's regions;
 * -NH_ENOMEM: no memory for it). */
static int page_fault(struct task *t, const struct trap_frame *tf)
{
	unsigned access = fault_access(tf->scause);

	if (!access || !t || !t->space)
		return -NH_EFAULT;
	return vm_fault(t->space, tf->stval, access);
}

/*
 * A trap from user mode that is neither an interrupt nor a system call
 * (trap.S sends those to syscall_entry): a fault, which ends the task and
 * nothing else.  (The process server will get fault events.)
 */
static void user_exception(struct hart *h, struct trap_frame *tf)
{
	struct task *t = h->current;
	int err = h->fault_known ? h->fault_err : page_fault(t, tf);
	struct task_end e = { .reason = NH_EXIT_FAULT, .code = -NH_EFAULT,
			      .cause = tf->scause, .addr = tf->stval,
			      .pc = tf->regs[0] };

	h->fault_known = false;
	if (!err)
		return;		/* resolved: run the instruction again */
	if (tf->scause == EXC_ILLEGAL_INSN && sched_fp_first_use(tf))
		return;		/* FP was off for the task: now loaded */
	if (err != -NH_ENOMEM && ipc_fault(tf) == NH_FAULT_RESUME)
		return;		/* its fault handler dealt with it */
	kprintf("%suser fault: task %lu [%s]: %s at pc 0x%lx, address 0x%lx%s\n",
		prefix(), t->id, t->name, trap_cause_name(tf->scause),
		tf->regs[0], tf->stval, err == -NH_ENOMEM ? ": out of memory" : "");
	t->faulted = true;	/* the test family's wait still reads these */
	t->fault_cause = tf->scause;
	t->fault_addr = tf->stval;
	t->fault_pc = tf->regs[0];
	h->trap_depth--;
	if (err == -NH_ENOMEM) {
		e.reason = NH_EXIT_OOM;
		e.code = -NH_ENOMEM;
	}
	task_exit_as(&e);
}

/*
 * trap.S's fast way for a page fault from user mode (only the registers
 * C may clobber are in the frame yet): resolve it; 0 sends the task
 * straight back, non-zero takes the normal way (trap_dispatch: the fault
 * record, or the work waiting at the user boundary).
 */
int trap_user_page_fault(struct trap_frame *tf)
{
	struct hart *h = hart_self();
	struct task *t = h->current;
	int err;

	h->trap_depth++;
	err = page_fault(t, tf);
	h->trap_depth--;
	if (!err && !__atomic_load_n(&t->work, __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&h->need_resched, __ATOMIC_RELAXED))
		return 0;
	h->fault_known = true;	/* user_exception takes it from here */
	h->fault_err = err;
	return 1;
}

/*
 * Every trap but a system call.  A trap from user mode leaves through
 * the user-boundary check (taskctl_user_return: preemption and task
 * control's work), with interrupts off until the sret.
 */
void trap_dispatch(struct trap_frame *tf)
{
	struct hart *h = hart_self();

	h->trap_depth++;
	if (tf->scause & SCAUSE_INTERRUPT) {
		h->trap_from_user = from_user(tf);
		interrupt(tf);
	} else if (from_user(tf)) {
		user_exception(h, tf);
	} else {
		exception(tf);
	}
	h = hart_self();
	if (from_user(tf)) {
		h->trap_depth--;	/* the trap is over: only the return is left */
		taskctl_user_return();
		return;
	}
	if (on_task_stack(h, tf))
		sched_trap_exit(tf->sstatus & SSTATUS_SPIE);
	hart_self()->trap_depth--;	/* not h: we may be on another hart now */
}

long fault_catch(long (*fn)(void *), void *arg, struct fault_catch *c)
{
	long r;

	c->fired = false;
	*catch_slot(hart_self()) = c;
	r = fault_catch_call(fn, arg, c);
	*catch_slot(hart_self()) = 0;	/* (maybe another hart by now) */
	return r;
}
