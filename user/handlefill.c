/*
 * A helper of USRT0010: fills its own handle table (handles to itself)
 * until the kernel refuses, and checks that exactly the table's most
 * (65,536 slots, handle.h) fit, that nothing can be started or installed
 * while it is full, and that a closed slot is reused at its next
 * generation.  Exits 0, or the number of the first check that failed;
 * its table's chunks go back with the task.
 */
#include <nuthatch/errno.h>

#include "nhtest.h"
#include "nuthatch.h"

#define TABLE_SLOTS	65536
#define SLOT_BITS	16

static char stack[4096] __attribute__((aligned(16)));

static void never_runs(long arg)
{
	nh_exit((int)arg);
}

int main(void)
{
	struct nh_task_start start = { .pc = (uint64_t)never_runs,
				       .sp = (uint64_t)(stack + sizeof(stack)), .a0 = 1 };
	long err = 0, last = 0;
	long n = 0;

	while (n <= TABLE_SLOTS && (err = nh_handle_dup(NH_SELF_TASK, NH_RIGHT_READ)) > 0) {
		if (err != n + 1)	/* dense, lowest first */
			return 9;
		last = err;
		n++;
	}
	if (err != -NH_ENOSPC)
		return 1;
	if (n != TABLE_SLOTS)
		return 2;
	if (nh_task_create(NH_SELF_SPACE, &start) != -NH_ENOSPC)
		return 3;	/* a full table starts nothing */
	if (nh_space_create() != -NH_ENOSPC)
		return 4;
	if (nh_handle_install(NH_SELF_TASK, NH_SELF_TASK, 0) != -NH_ENOSPC)
		return 5;
	if (nh_handle_install_at(NH_SELF_TASK, NH_SELF_TASK, 0, 0, 5) != -NH_EEXIST)
		return 6;
	if (nh_handle_close(last) != 0)
		return 7;
	if (nh_handle_dup(NH_SELF_TASK, NH_RIGHT_READ) != last + (1l << SLOT_BITS))
		return 8;
	return 0;
}
