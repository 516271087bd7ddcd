/*
 * Self-tests of traps, time and interrupts: faults in the kernel are
 * caught by an armed fault_catch and named in an oops; the symbol table
 * names kernel functions; the tick arrives at the configured rate; IPIs and
 * the UART's receive interrupt arrive through their paths.
 */
#include <stdint.h>

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/trap.h"
#include "core/boot.h"
#include "dev/console.h"
#include "core/hart.h"
#include "dev/irq.h"
#include "lib/ksyms.h"
#include "debug/ktest.h"
#include "lib/cmdline.h"
#include "sched/task.h"
#include "sched/timer.h"


static const uint64_t rodata_word = 0x5eed;
/* An instruction ("ret") placed in writable data: must never execute. */
static uint32_t data_code[2] = { 0x00008067, 0x00008067 };

static long store_to(void *p)
{
	*(volatile uint64_t *)p = 1;
	return 0;
}

static long load_from(void *p)
{
	return (long)*(volatile uint64_t *)p;
}

static long call_into(void *p)
{
	return ((long (*)(void))p)();
}

static long illegal(void *p)
{
	__asm__ volatile(".word 0" ::: "memory");
	return 0;
}

KTEST(TRAP0001_rodata_write_faults)
{
	struct fault_catch c = { 0 };

	KT_EXPECT(t, fault_catch(store_to, (void *)&rodata_word, &c) == -NH_EFAULT);
	KT_EXPECT(t, c.fired && c.scause == EXC_STORE_PAGE_FAULT);
	KT_EXPECT(t, c.stval == (uint64_t)&rodata_word);
	KT_EXPECT(t, rodata_word == 0x5eed);
}

KTEST(TRAP0002_jump_into_data_faults)
{
	struct fault_catch c = { 0 };

	KT_EXPECT(t, fault_catch(call_into, data_code, &c) == -NH_EFAULT);
	KT_EXPECT(t, c.fired && c.scause == EXC_INST_PAGE_FAULT);
	KT_EXPECT(t, c.stval == (uint64_t)data_code);
	KT_EXPECT(t, c.sepc == (uint64_t)data_code);
}

KTEST(TRAP0003_null_and_user_half_unmapped)
{
	struct fault_catch c = { .quiet = true };

	KT_EXPECT(t, fault_catch(load_from, 0, &c) == -NH_EFAULT);
	KT_EXPECT(t, c.scause == EXC_LOAD_PAGE_FAULT && c.stval == 0);
	KT_EXPECT(t, fault_catch(load_from, (void *)0x10000, &c) == -NH_EFAULT);
	KT_EXPECT(t, c.scause == EXC_LOAD_PAGE_FAULT && c.stval == 0x10000);
}

KTEST(TRAP0004_illegal_instruction_and_no_catch_leak)
{
	struct fault_catch c = { .quiet = true };

	KT_EXPECT(t, fault_catch(illegal, 0, &c) == -NH_EFAULT);
	KT_EXPECT(t, c.scause == EXC_ILLEGAL_INSN);
	KT_EXPECT(t, task_current()->fault_catch == 0);
	/* A call that does not fault returns its own value. */
	KT_EXPECT(t, fault_catch(load_from, (void *)&rodata_word, &c) == 0x5eed);
	KT_EXPECT(t, !c.fired);
}

KTEST(TRAP0005_symbols_name_kernel_functions)
{
	uintptr_t off = 1;
	const char *n = ksyms_lookup((uintptr_t)fault_catch + 4, &off);

	KT_EXPECT(t, ksyms_count() > 50);
	KT_EXPECT(t, n && cmdline_glob("fault_catch", n) && off == 4);
	KT_EXPECT(t, ksyms_lookup((uintptr_t)data_code, &off) == 0);
	KT_EXPECT(t, ksyms_lookup(0, &off) == 0);
}

KTEST(TRAP0006_cause_names)
{
	KT_EXPECT(t, cmdline_glob("store page fault", trap_cause_name(15)));
	KT_EXPECT(t, cmdline_glob("supervisor timer interrupt",
				  trap_cause_name(SCAUSE_INTERRUPT | 5)));
	KT_EXPECT(t, cmdline_glob("unknown cause", trap_cause_name(63)));
}

/* Wait with interrupts on until @ns of clock time have passed. */
static void sleep_ns(uint64_t ns)
{
	uint64_t end = clock_ns() + ns;

	while (clock_ns() < end)
		arch_wait_for_interrupt();
}

KTEST(TIMER0001_tick_rate)
{
	char v[4];
	uint64_t window = 200000000ull;	/* 200 ms */
	uint64_t want = timer_hz() * window / 1000000000ull;

	if (!cmdline_get(boot_platform.bootargs, "nuthatch.icount", v, sizeof(v))) {
		ktest_skip(t, "rates are checked in the icount boot");
		return;
	}
	uint64_t before = hart_self()->timer_ticks;
	sleep_ns(window);
	uint64_t got = hart_self()->timer_ticks - before;
	ktest_diag(t, "%lu ticks in 200 ms at %u Hz", got, timer_hz());
	KT_EXPECT(t, got + 1 >= want && got <= want + 1);
}

KTEST(TIMER0002_clock_conversion)
{
	uint64_t tb = boot_platform.timebase_hz;
	uint64_t a = clock_ns(), b;

	sleep_ns(1000000);
	b = clock_ns();
	KT_EXPECT(t, b >= a + 1000000);
	KT_EXPECT(t, timer_ticks_to_ns(tb) == 1000000000ull);
	KT_EXPECT(t, timer_ticks_to_ns(tb * 86400 * 365 * 100) ==
		     86400ull * 365 * 100 * 1000000000ull);
	KT_EXPECT(t, hart_self()->timer_ticks > 0);
}

KTEST(IRQ0001_self_ipi)
{
	uint64_t before = hart_self()->ipis;
	uint64_t end;

	KT_EXPECT(t, ipi_send(hart_self()->hartid) == 0);
	end = clock_ns() + 50000000;
	while (hart_self()->ipis == before && clock_ns() < end)
		arch_wait_for_interrupt();
	KT_EXPECT(t, hart_self()->ipis == before + 1);
}

KTEST(IRQ0002_uart_loopback_through_plic)
{
	uint32_t irq = boot_platform.console.irq;
	uint64_t before = irq_count(irq), end;
	int a = -1, b = -1;

	if (console_claimed()) {	/* its input is the console suite's (testsuite.py) */
		ktest_skip(t, "the console server drives the UART");
		return;
	}
	if (console_loopback(true) == -NH_ENOTSUP) {
		ktest_skip(t, "this UART has no loopback mode");
		return;
	}
	while (console_getc() >= 0)
		;
	console_put_raw('N');
	console_put_raw('h');
	end = clock_ns() + 100000000;
	while (b < 0 && clock_ns() < end) {
		arch_wait_for_interrupt();
		if (a < 0)
			a = console_getc();
		else
			b = console_getc();
	}
	console_loopback(false);
	KT_EXPECT(t, a == 'N' && b == 'h');
	KT_EXPECT(t, irq_count(irq) > before);
}

static void no_handler(void *ctx)
{
}

KTEST(IRQ0003_register_rejects_bad_sources)
{
	KT_EXPECT(t, irq_register(0, no_handler, 0) == -NH_EINVAL);
	KT_EXPECT(t, irq_register(IRQ_MAX, no_handler, 0) == -NH_EINVAL);
	KT_EXPECT(t, irq_register(1, 0, 0) == -NH_EINVAL);
	KT_EXPECT(t, irq_register(boot_platform.plic.ndev + 1, no_handler, 0) ==
		     -NH_EINVAL);
	KT_EXPECT(t, irq_register(boot_platform.console.irq, no_handler, 0) ==
		     -NH_EBUSY);
	KT_EXPECT(t, ipi_send(0xffffff) == -NH_EINVAL);
}
