/*
 * For the test server: call every system call with garbage in every
 * argument register, for a budget of calls from a seed (argv[1], argv[2]).
 * Arguments are drawn from values that find edges: 0, small numbers,
 * all-ones, sign bits, page-aligned and unaligned addresses in the kernel
 * half, in unmapped user memory and in a scratch page of ours, handles we
 * made ourselves, the pseudo-handles, and plain random words.  Calls that
 * only end this program (exit) or the whole test run (test_poweroff), run
 * kernel self-tests by name or print to the console are left out, and so
 * are the calls that start tasks (one started at a random pc in a copy of
 * this program could print to the console too).  A call
 * that blocks is interrupted by the test server; one that ends the
 * program (a kill of itself, an unmap of its own code) just ends this
 * round.  Exit: how many calls were made.
 */
#include <stdint.h>
#include <stdlib.h>

#include <nuthatch/handle.h>
#include <nuthatch/sysno.h>

#include "nuthatch.h"

static char scratch[4096] __attribute__((aligned(4096)));
static long made[16];		/* handles we created, to reuse as arguments */
static unsigned nmade, slot;
static uint64_t state;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static long sys7(uint64_t n, const uint64_t a[7])
{
	register uint64_t a0 __asm__("a0") = a[0], a1 __asm__("a1") = a[1];
	register uint64_t a2 __asm__("a2") = a[2], a3 __asm__("a3") = a[3];
	register uint64_t a4 __asm__("a4") = a[4], a5 __asm__("a5") = a[5];
	register uint64_t a6 __asm__("a6") = a[6], a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3),
			 "+r"(a4), "+r"(a5), "+r"(a6) : "r"(a7) : "memory");
	return (long)a0;
}

static uint64_t garbage(void)
{
	switch (next() % 14) {
	case 0: return 0;
	case 1: return next() % 8;
	case 2: return ~0ull;
	case 3: return 1ull << 63;
	case 4: return 0xffffffff80000000ull + (next() % 0x100000);
	case 5: return (uintptr_t)scratch + (next() % 4096);
	case 6: return (uintptr_t)scratch;
	case 7: return 0x3000000000ull + (next() % 4) * 4096;	/* unmapped */
	case 8: return nmade ? (uint64_t)made[next() % nmade] : 1;
	case 9: return next() & 1 ? NH_SELF_TASK : NH_SELF_SPACE;
	case 10: return next() % 0x1000;
	case 11: return (next() % 64) << 16;		/* IPC tags */
	case 12: return 4096ull * (next() % 64);
	default: return next();
	}
}

static int excluded(uint64_t n)
{
	return n == SYS_exit || n == SYS_test_poweroff || n == SYS_test_ktest_run ||
	       n == SYS_power ||	/* (off, reboot or halt: the end of the run) */
	       n == SYS_debug_write ||
	       /* a task started at a random pc of a copy of us could print */
	       n == SYS_task_create;
}

/* Calls that would only end this program when aimed at itself. */
static int suicidal(uint64_t n, const uint64_t a[7])
{
	if (n == SYS_task_kill || n == SYS_task_set_space || n == SYS_ipc_bind_events)
		return a[0] == NH_SELF_TASK;
	if (n == SYS_space_unmap || n == SYS_space_protect)
		return a[0] == NH_SELF_SPACE;
	return n == SYS_brk;	/* our stack and data are not the heap, but picolibc's are */
}

int main(int argc, char **argv)
{
	long budget = argc > 1 ? atol(argv[1]) : 1000;
	uint64_t a[7];
	long calls = 0;

	state = argc > 2 ? (uint64_t)atol(argv[2]) * 2654435761u + 1 : 88172645463325252ull;
	while (calls < budget) {
		uint64_t n = next() % (SYS_COUNT + 4);	/* and some beyond */
		long r;

		if (excluded(n))
			continue;
		for (int i = 0; i < 7; i++)
			a[i] = garbage();
		if (suicidal(n, a))
			continue;
		r = sys7(n, a);
		calls++;
		/* keep some of what creating calls returned, to reuse */
		if (r > 0 && r < (1l << 31) && (n == SYS_endpoint_create || n == SYS_notify_create ||
		    n == SYS_memobj_create || n == SYS_space_create ||
		    (n == SYS_handle_dup && a[0] != NH_SELF_TASK) ||
		    n == SYS_space_clone || n == SYS_endpoint_mint))
		{
			made[slot++ % 16] = r;
			nmade = nmade < 16 ? nmade + 1 : 16;
		}
	}
	return (int)calls;
}
