/*
 * privcheck: run as an ordinary process (no privileges), try every power
 * that belongs to the servers and count each attempt that does not get
 * -NH_EPERM; then check that what an ordinary process needs still works,
 * and that a forked child is no better off.  Exits with the number of
 * failures (PROC0014 runs it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nuthatch.h"

static int failures;

static void expect_eperm(const char *what, long r)
{
	if (r == -NH_EPERM)
		return;
	printf("# privcheck: %s gave %ld, not EPERM\n", what, r);
	failures++;
}

static void expect_ok(const char *what, int ok)
{
	if (ok)
		return;
	printf("# privcheck: %s failed\n", what);
	failures++;
}

/* The powers of a process server, a driver or the test runner. */
static void try_powers(void)
{
	struct nh_task_start start = { .pc = 0x10000, .sp = 0x20000 };
	struct nh_sched fixed = { .cls = NH_SCHED_FIXED, .prio = 63 };
	struct nh_sched nicer = { .cls = NH_SCHED_FAIR, .nice = -5 };
	struct nh_counters c;
	struct nh_device d;
	static const char name[] = "imposter";
	uint64_t len = 0;

	expect_eperm("task_create", nh_task_create(NH_SELF_SPACE, &start));
	expect_eperm("space_create", nh_space_create());
	expect_eperm("space_clone", nh_space_clone(NH_SELF_SPACE));
	expect_eperm("ipc_bind_events (unbind)", nh_ipc_bind_events(NH_SELF_TASK, 0, 0));
	expect_eperm("space_limit", nh_space_limit(NH_SELF_SPACE, 0));
	expect_eperm("task_sched_set fixed 63", nh_task_sched_set(NH_SELF_TASK, &fixed));
	expect_eperm("task_sched_set nice -5", nh_task_sched_set(NH_SELF_TASK, &nicer));
	expect_eperm("device_open", nh_device_open("ns16550a", &d));
	expect_eperm("irq_bind", nh_irq_bind(10, 0, 1));
	expect_eperm("initrd_open", nh_initrd_open("/bin/hello"));
	expect_eperm("initrd_archive", nh_initrd_archive(&len));
	expect_eperm("test_counters", nh_test_counters(&c));
	expect_eperm("test_ktest_count", nh_test_ktest_count());
	expect_eperm("test_poweroff", nh_test_poweroff(1));
	expect_eperm("task_set_privs (raise)", nh_task_set_privs(NH_SELF_TASK, NH_PRIV_TEST));
	expect_eperm("handle_install_at on itself",
		     nh_handle_install_at(NH_SELF_TASK, NH_SELF_TASK, 0, 0, 5));
	expect_eperm("handle_dup of itself", nh_handle_dup(NH_SELF_TASK, NH_RIGHT_READ));
	expect_eperm("task_set_space", nh_task_set_space(NH_SELF_TASK, NH_SELF_SPACE, 0, 0));
	expect_eperm("task_clear_tid", nh_task_clear_tid(NH_SELF_TASK, 0));
	expect_eperm("task_set_name", nh_task_set_name(NH_SELF_TASK, name, sizeof(name) - 1));
	expect_eperm("task_kill of itself", nh_task_kill(NH_SELF_TASK));
}

/* What every process may do: look at itself, map memory, allocate. */
static void try_ordinary(void)
{
	struct nh_task_info info;
	struct nh_space_stat st;
	char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q = malloc(100000);

	expect_ok("task_info", nh_task_info(NH_SELF_TASK, &info) == 0 && info.privs == 0);
	expect_ok("space_stat", nh_space_stat(NH_SELF_SPACE, &st) == 0 && st.resident > 0);
	expect_ok("mmap", p != MAP_FAILED && (p[4096] = 1) == 1 && munmap(p, 8192) == 0);
	expect_ok("malloc", q && memset(q, 1, 100000) == q);
	free(q);
	expect_ok("lowering to what it has", nh_task_set_privs(NH_SELF_TASK, 0) == 0);
	expect_ok("getpid", getpid() > 1);
	expect_ok("bad privilege bits", nh_task_set_privs(NH_SELF_TASK, 1u << 30) == -NH_EINVAL);
}

int main(int argc, char **argv)
{
	int status = -1;
	pid_t pid;

	(void)argc;
	(void)argv;
	try_powers();
	try_ordinary();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		failures = 0;
		try_powers();
		try_ordinary();
		fflush(stdout);
		_exit(failures);
	}
	expect_ok("fork", pid > 0 && waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("# privcheck: the child: status 0x%x\n", (unsigned)status);
		failures++;
	}
	return failures;
}
