/*
 * Self-tests and benchmarks of IPC (ipc.c) with tiny user programs in two
 * address spaces: the call + reply-receive round trip.
 */
#include <nuthatch/errno.h>
#include <nuthatch/task.h>

#include "arch/riscv/trap.h"
#include "debug/bench.h"
#include "obj/handle.h"
#include "ipc/ipc.h"
#include "debug/ktest.h"
#include "sched/task.h"
#include "sched/taskctl.h"
#include "sched/timer.h"
#include "debug/tests/uprog.h"
#include "mm/vm.h"


extern const char uprog_ipc_client[], uprog_ipc_client_end[];
extern const char uprog_ipc_server[], uprog_ipc_server_end[];

/* A suspended task running [from, to) in a space of its own, with a
 * handle to @ep (every right) in its table, passed in a0. */
static struct task *start_with(const char *from, const char *to,
			       struct endpoint *ep, uint64_t word, int *err)
{
	struct nh_task_start st = { .pc = CODE_VA, .sp = STACK_VA + 4096,
		.sched = { .cls = NH_SCHED_FAIR, .allowed = 1 },
		.flags = NH_START_SUSPENDED, .name = "ipcbench" };
	struct vmspace *s = uprog_space(from, to, err);
	struct task *t = 0;
	long h;

	if (!s)
		return 0;
	*err = vm_write(s, STACK_VA, &word, sizeof(word), 0);
	t = *err ? 0 : taskctl_create(s, &st, err);
	if (!t) {
		vm_put(s);
		return 0;
	}
	h = handle_alloc(t->handles, NH_OBJ_ENDPOINT, ep, NH_RIGHTS_ALL);
	task_user_frame(t)->regs[10] = (uint64_t)h;
	*err = h < 0 ? (int)h : 0;
	return t;
}

/* The client's ns for @iters round trips, or 0. */
static uint64_t round_trips(uint64_t iters)
{
	struct endpoint *ep = ipc_endpoint_create();
	struct task *srv, *cli;
	int err = ep ? 0 : -NH_ENOMEM;
	long ns = 0;

	srv = ep ? start_with(uprog_ipc_server, uprog_ipc_server_end, ep, 0, &err) : 0;
	cli = srv ? start_with(uprog_ipc_client, uprog_ipc_client_end, ep, iters, &err) : 0;
	if (srv)
		taskctl_resume(srv);
	if (cli) {
		taskctl_resume(cli);
		ns = task_join(cli);
	}
	if (srv) {
		taskctl_kill(srv);
		task_join(srv);
	}
	if (ep)
		ipc_endpoint_put(ep);
	return err || ns <= 1 ? 0 : (uint64_t)ns;
}

KTEST(IPC0001_round_trips_between_two_spaces)
{
	uint64_t fast = ipc_fast_count();
	uint64_t ns = round_trips(100);

	/* Both on hart 0, registers only: after the first round trip every
	 * call and reply-receive switches directly (other harts' IPC may add
	 * to the count, never take from it). */
	fast = ipc_fast_count() - fast;
	KT_EXPECT(t, ns > 0);
	KT_EXPECT(t, fast >= 2 * 100 - 4);
	ktest_diag(t, "100 round trips: %lu ns, %lu direct switches", ns, fast);
}

KBENCH(ipc_round_trip, 20000)
{
	return round_trips(iters);
}
