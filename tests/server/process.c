/*
 * The process server's tests (servers/proc through lib/posix/process.c):
 * fork, exec, wait and the ids, from the test server, which is itself a
 * process under init.  Each test also checks the server's own table:
 * processes, zombies, pids and pending waits are the same before and
 * after (the kernel's counters are checked around every test by the
 * runner).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nhtest.h"
#include "nuthatch.h"
#include "parts.h"
#include "proto/proc.h"

struct proc_table proc_table_now(void)
{
	struct proc_table t = { 0 };

	proc_stat(NH_PROC_HANDLE, &t.procs, &t.zombies, &t.pids, &t.waiters);
	return t;
}

/* The table as @before, allowing init a moment to reap orphans. */
int proc_table_back(const struct proc_table *before)
{
	for (int i = 0; i < 200; i++) {
		struct proc_table t = proc_table_now();

		if (!memcmp(&t, before, sizeof(t)))
			return 1;
		nh_sleep_ns(10000000);
	}
	struct proc_table t = proc_table_now();
	printf("# proc table: procs %u -> %u, zombies %u -> %u, pids %u -> %u, waiters %u -> %u\n",
	       before->procs, t.procs, before->zombies, t.zombies, before->pids, t.pids,
	       before->waiters, t.waiters);
	return 0;
}

/* fork, with the child running @fn(@arg) and _exit-ing with its value. */
pid_t proc_spawn_child(int (*fn)(long), long arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

int proc_exited_with(int status, int code)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == code)
		return 1;
	printf("# wait status 0x%x, wanted exit %d\n", (unsigned)status, code);
	return 0;
}

static volatile int cow_word = 5;

static int child_checks_ids(long parent)
{
	int bad = 0;

	bad |= getppid() != (pid_t)parent;
	bad |= getpid() == (pid_t)parent || getpid() <= 1;
	cow_word = 99;		/* the parent's copy stays 5 */
	return bad ? 1 : 42;
}

int proc_fork_wait_and_exit_status(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t me = getpid(), pid;

	EXPECT(me > 1 && getppid() == 1);	/* the test server is init's child */
	pid = proc_spawn_child(child_checks_ids, me);
	EXPECT(pid > 1 && pid != me);
	EXPECT(waitpid(pid, &status, 0) == pid && proc_exited_with(status, 42));
	EXPECT(cow_word == 5);
	errno = 0;
	EXPECT(waitpid(pid, &status, 0) == -1 && errno == ECHILD);
	EXPECT(wait(&status) == -1 && errno == ECHILD);
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int sleep_then(long code)
{
	nh_sleep_ns(30000000);
	return (int)code;
}

int proc_wait_nohang_options_and_echild(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	struct rusage ru;
	pid_t pid;

	errno = 0;
	EXPECT(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
	pid = proc_spawn_child(sleep_then, 3);
	EXPECT(pid > 0);
	EXPECT(waitpid(pid, &status, WNOHANG) == 0);
	EXPECT(waitpid(-1, &status, 0x100) == -1 && errno == EINVAL);	/* no such option */
	EXPECT(waitpid(-1, &status, WNOWAIT) == -1 && errno == EINVAL);	/* waitid's only */
	EXPECT(waitpid(1, &status, 0) == -1 && errno == ECHILD);	/* not our child */
	EXPECT(waitpid(999999, &status, 0) == -1 && errno == ECHILD);
	memset(&ru, 0xff, sizeof(ru));
	EXPECT(wait4(pid, &status, 0, &ru) == pid && proc_exited_with(status, 3));
	EXPECT(ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec >= 0 &&
	       ru.ru_utime.tv_usec < 1000000);
	EXPECT(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int exec_hello(long arg)
{
	char *const argv[] = { "hello", "one", "two", 0 };

	(void)arg;
	execv("/bin/hello", argv);
	return 100 + errno;
}

int proc_exec_runs_a_program_in_the_child(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t pid = proc_spawn_child(exec_hello, 0);

	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid);
	EXPECT(proc_exited_with(status, 7));		/* hello's status with two arguments */
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* execve's failures, in the test server itself: each must return. */
int proc_exec_errors_leave_the_caller_as_it_was(void)
{
	static char big[5000];
	char *const argv[] = { "x", 0 };
	char *const huge[] = { "x", big, 0 };
	struct proc_table before = proc_table_now();
	int ok = 1;
	pid_t me = getpid();

	memset(big, 'a', sizeof(big) - 1);
	errno = 0;
	EXPECT(execv("/bin/no-such-program", argv) == -1 && errno == ENOENT);
	EXPECT(execv("", argv) == -1 && errno == ENOENT);
	EXPECT(execv("/bin/corrupt", argv) == -1 && errno == ENOEXEC);
	EXPECT(execv("/etc/empty", argv) == -1 && errno == EACCES);	/* no x bit */
	EXPECT(execv("/bin", argv) == -1 && errno == EACCES);		/* a directory */
	EXPECT(execv("/bin/hello/x", argv) == -1 && errno == ENOTDIR);
	EXPECT(execv("/bin/hello", huge) == -1 && errno == E2BIG);
	EXPECT(execvp("no-such-program", argv) == -1 && errno == ENOENT);
	EXPECT(getpid() == me && cow_word == 5);
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* Every file of /lib/corrupt (tools/mkcorrupt.py) gets ENOEXEC. */
int proc_exec_refuses_a_corpus_of_corrupt_elfs(void)
{
	char *const argv[] = { "corrupt", 0 };
	char path[32];
	int ok = 1, n = 0;

	for (; n < 1000; n++) {
		snprintf(path, sizeof(path), "/lib/corrupt/%03d", n);
		errno = 0;
		if (execv(path, argv) == 0 || errno == ENOENT)
			break;
		if (errno != ENOEXEC) {
			printf("# %s: errno %d, not ENOEXEC\n", path, errno);
			ok = 0;
		}
	}
	printf("# %d corrupt executables refused\n", n);
	EXPECT(n >= 100 && errno == ENOENT);
	EXPECT(getppid() == 1);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int null_store(long arg)
{
	volatile int *volatile nowhere = 0;

	(void)arg;
	*nowhere = 1;
	return 0;
}

static int illegal(long arg)
{
	(void)arg;
	__asm__ volatile(".word 0");
	return 0;
}

static int breakpoint(long arg)
{
	(void)arg;
	__asm__ volatile("ebreak");
	return 0;
}

int proc_faults_end_the_child_with_a_signal(void)
{
	static const struct { int (*fn)(long); int sig; } cases[] = {
		{ null_store, SIGSEGV }, { illegal, SIGILL }, { breakpoint, SIGTRAP },
	};
	struct proc_table before = proc_table_now();
	int ok = 1;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = -1;
		pid_t pid = proc_spawn_child(cases[i].fn, 0);

		EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid);
		EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == cases[i].sig &&
		       !WCOREDUMP(status) && !WIFEXITED(status));
	}
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* The grandchild sees its parent die, then init adopt it. */
static int grandchild(long shared)
{
	volatile int *flag = (volatile int *)shared;

	for (int i = 0; i < 2000 && getppid() != 1; i++)
		nh_sleep_ns(1000000);
	*flag = getppid() == 1 ? 1 : 2;
	return 0;
}

static int middle(long shared)
{
	return proc_spawn_child(grandchild, shared) > 0 ? 0 : 1;
}

int proc_orphans_go_to_init_which_reaps_them(void)
{
	struct proc_table before = proc_table_now();
	volatile int *flag = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int ok = 1, status = -1;
	pid_t pid;

	EXPECT(flag != MAP_FAILED);
	if (flag == MAP_FAILED)
		return NH_TEST_FAIL;
	*flag = 0;
	pid = proc_spawn_child(middle, (long)flag);
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	for (int i = 0; i < 300 && !*flag; i++)
		nh_sleep_ns(10000000);
	EXPECT(*flag == 1);
	EXPECT(proc_table_back(&before));	/* init reaped the grandchild */
	munmap((void *)flag, 4096);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

#define MANY	1000

int proc_thousand_forks_get_unique_pids(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, wraps = 0;
	pid_t last = 0;

	for (int i = 0; i < MANY && ok; i++) {
		int status = -1;
		pid_t pid = fork();

		if (pid == 0)
			_exit(i & 0xff);
		EXPECT(pid > 1 && waitpid(pid, &status, 0) == pid &&
		       proc_exited_with(status, i & 0xff));
		/* handed out cyclically: each above the last, but for a wrap */
		wraps += pid <= last;
		last = pid;
	}
	EXPECT(wraps <= 1);
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

#define WIDE	100

static int exit_code(long code)
{
	return (int)code;
}

int proc_hundred_children_exit_at_once(void)
{
	static pid_t pids[WIDE];
	static int seen[WIDE];
	struct proc_table before = proc_table_now();
	int ok = 1, status;
	pid_t pid;

	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < WIDE; i++)
		pids[i] = proc_spawn_child(exit_code, i);
	for (int n = 0; n < WIDE; n++) {
		pid = wait(&status);
		for (int i = 0; i < WIDE; i++)
			if (pid == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == i)
				seen[i]++;
	}
	for (int i = 0; i < WIDE; i++)
		EXPECT(pids[i] > 0 && seen[i] == 1);
	EXPECT(wait(&status) == -1 && errno == ECHILD);
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int own_group(long arg)
{
	(void)arg;
	setpgid(0, 0);
	nh_sleep_ns(20000000);
	return 9;
}

int proc_waitpid_by_process_group(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t same = proc_spawn_child(sleep_then, 4), other = proc_spawn_child(own_group, 0);

	EXPECT(same > 0 && other > 0);
	EXPECT(setpgid(other, other) == 0 || errno == EACCES);	/* racing its own */
	EXPECT(getpgid(other) == other && getpgid(same) == getpgrp());
	EXPECT(waitpid(-other, &status, 0) == other && proc_exited_with(status, 9));
	EXPECT(waitpid(-other, &status, 0) == -1 && errno == ECHILD);
	EXPECT(waitpid(0, &status, 0) == same && proc_exited_with(status, 4));
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int session_rules(long arg)
{
	pid_t me = getpid();
	int bad = 0;

	(void)arg;
	bad |= (getsid(0) != getsid(getppid())) << 0;
	bad |= (setsid() != me) << 1;
	bad |= (getsid(0) != me || getpgid(0) != me) << 2;
	bad |= (setsid() != -1 || errno != EPERM) << 3;		/* a group leader */
	bad |= (setpgid(0, getppid()) != -1 || errno != EPERM) << 4;	/* a session leader */
	bad |= (getpgid(999999) != -1 || errno != ESRCH) << 5;
	bad |= (setpgid(-1, 0) != -1 || errno != EINVAL) << 6;
	return bad;
}

int proc_sessions_and_groups_follow_posix(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t pid = proc_spawn_child(session_rules, 0);

	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	EXPECT(setpgid(1, 1) == -1 && errno == ESRCH);		/* not ours */
	EXPECT(getsid(0) == 1 && getpgrp() == 1);		/* init's session */
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* Raw messages the stubs would never send; the server answers each and
 * goes on. */
int proc_server_refuses_garbage(void)
{
	struct proc_table before = proc_table_now();
	char *const argv[] = { "x", 0 };
	struct nh_msg m;
	int ok = 1;
	int32_t pid = 0, st = 0;
	uint64_t ut, stime;

	EXPECT(execv("/bin/no-such-program", argv) == -1 && nh_proto_buf());

	m = (struct nh_msg){ .tag = NH_IPC_TAG(PROC_BASE + PROC_COUNT, 0) };
	EXPECT(nh_call(NH_PROC_HANDLE, &m) >= 0 && NH_IPC_LABEL(m.tag) == NH_PROTO_ERROR &&
	       (long)m.w[0] == -NH_ENOSYS);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(PROC_GETPID, 0), .w = { 1 } };
	EXPECT(nh_call(NH_PROC_HANDLE, &m) >= 0 && (long)m.w[0] == -NH_EBADMSG);
	m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_IPC_EXIT, 0), .w = { 1, 0, 0 } };
	EXPECT(nh_call(NH_PROC_HANDLE, &m) >= 0 && (long)m.w[0] == -NH_ENOSYS);	/* no forged exit */
	m = (struct nh_msg){ .tag = NH_IPC_TAG(NH_IPC_FAULT, 0) };
	EXPECT(nh_call(NH_PROC_HANDLE, &m) >= 0 && (long)m.w[0] == -NH_ENOSYS);
	/* execve whose counts do not match its strings */
	EXPECT(proc_execve(NH_PROC_HANDLE, 3, 0, "/bin/hello\0a\0", 13) == -NH_EINVAL);
	EXPECT(proc_execve(NH_PROC_HANDLE, 0, 0, "/bin/hello", 10) == -NH_EINVAL);
	EXPECT(proc_execve(NH_PROC_HANDLE, 0, 0, "", 0) == -NH_EINVAL);
	EXPECT(proc_wait4(NH_PROC_HANDLE, INT32_MIN, 0, &pid, &st, &ut, &stime) == -NH_EINVAL);
	EXPECT(proc_getpid(NH_PROC_HANDLE, &pid) == 0 && pid == getpid());
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* vfork: the child runs in the parent's memory while the parent waits
 * for its exec or its end. */
int proc_vfork_holds_the_parent_until_exec_or_exit(void)
{
	static volatile int shared_word;
	char *const argv[] = { "hello", "one", "two", 0 };
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t pid;

	shared_word = 0;
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		shared_word = getpid();	/* the parent's memory: it sees this */
		_exit(3);
	}
	EXPECT(pid > 1 && shared_word == pid);	/* held until the child ended */
	EXPECT(waitpid(pid, &status, 0) == pid && proc_exited_with(status, 3));
	pid = vfork();
	if (pid == 0) {
		execv("/bin/hello", argv);
		_exit(99);
	}
	EXPECT(pid > 1 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 7));
	pid = vfork();
	if (pid == 0) {
		execv("/bin/corrupt", argv);	/* refused: the child goes on */
		_exit(errno == ENOEXEC ? 5 : 6);
	}
	EXPECT(pid > 1 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 5));
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* The child: check it inherited every privilege, keep only @keep, then
 * fork a grandchild that must hold exactly @keep. */
static int inherits_then_drops(long keep)
{
	struct nh_task_info info;
	int status = -1;
	pid_t pid;

	if (nh_task_info(NH_SELF_TASK, &info) || info.privs != NH_PRIVS_ALL)
		return 10;
	if (nh_task_set_privs(NH_SELF_TASK, (uint32_t)keep))
		return 11;
	pid = fork();
	if (pid == 0)
		_exit(nh_task_info(NH_SELF_TASK, &info) == 0 && info.privs == keep &&
		      nh_task_set_privs(NH_SELF_TASK, NH_PRIVS_ALL) == -NH_EPERM ? 0 : 12);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 13;
	return WEXITSTATUS(status);
}

static char privs_stack[4096] __attribute__((aligned(16)));

static void never_started(long arg)
{
	nh_exit((int)arg);
}

/* task_create with NH_START_PRIVS_OF: the named task's privileges,
 * within the creator's; a bad handle is EBADF. */
static int privs_of_is_honoured(void)
{
	struct nh_task_start st = { .pc = (uint64_t)never_started,
				    .sp = (uint64_t)(privs_stack + sizeof(privs_stack)),
				    .flags = NH_START_SUSPENDED };
	struct nh_task_info info;
	long a = nh_task_create(NH_SELF_SPACE, &st), b;
	int ok = a > 0 && nh_task_set_privs(a, NH_PRIV_TEST | NH_PRIV_SELF) == 0;

	st.flags |= NH_START_PRIVS_OF;
	st.privs_of = (uint32_t)a;
	b = nh_task_create(NH_SELF_SPACE, &st);
	ok &= b > 0 && nh_task_info(b, &info) == 0 && info.privs == (NH_PRIV_TEST | NH_PRIV_SELF);
	st.privs_of = 12345;
	ok &= nh_task_create(NH_SELF_SPACE, &st) == -NH_EBADF;
	st.flags = NH_START_SUSPENDED | 0x80;
	ok &= nh_task_create(NH_SELF_SPACE, &st) == -NH_EINVAL;	/* an unknown flag */
	for (long h = a; h; h = h == a ? b : 0)
		if (h > 0) {
			nh_task_kill(h);
			nh_handle_close(h);
		}
	return ok;
}

/* An ordinary process: no privileges, then the checks of /bin/privcheck. */
static int drop_and_check(long arg)
{
	char *const argv[] = { "privcheck", 0 };

	(void)arg;
	if (nh_task_set_privs(NH_SELF_TASK, 0))
		return 20;
	execv("/bin/privcheck", argv);
	return 21;
}

/* Privileges: the test server holds them all (a test boot's init gives
 * them), a child inherits them at fork and keeps what it lowered them
 * to; a process without them gets EPERM for every server power. */
int proc_ordinary_processes_lack_server_powers(void)
{
	struct proc_table before = proc_table_now();
	struct nh_task_info info;
	struct nh_counters c;
	int ok = 1, status = -1;
	pid_t pid;

	EXPECT(nh_task_info(NH_SELF_TASK, &info) == 0 && info.privs == NH_PRIVS_ALL);
	EXPECT(nh_test_counters(&c) == 0);		/* the control: it can */
	EXPECT(privs_of_is_honoured());
	pid = proc_spawn_child(inherits_then_drops, NH_PRIV_TEST);
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	pid = proc_spawn_child(drop_and_check, 0);
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int own_group_then_exit(long code)
{
	setpgid(0, 0);
	nh_sleep_ns(10000000);
	return (int)code;
}

/* waitid: WNOWAIT leaves the zombie, WNOHANG reports nothing yet with
 * si_pid 0, siginfo_t as Linux fills it, P_PGID and P_ALL select, and
 * every bad argument gets EINVAL. */
int proc_waitid_reports_siginfo_and_wnowait_keeps_the_zombie(void)
{
	struct proc_table before = proc_table_now();
	siginfo_t si;
	int ok = 1;
	pid_t pid = proc_spawn_child(sleep_then, 3);

	memset(&si, 0x55, sizeof(si));
	EXPECT(pid > 0 && waitid(P_PID, pid, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0);
	EXPECT(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0);
	EXPECT(si.si_pid == pid && si.si_signo == SIGCHLD && si.si_code == CLD_EXITED &&
	       si.si_status == 3 && si.si_uid == 0);
	memset(&si, 0, sizeof(si));
	EXPECT(waitid(P_ALL, 0, &si, WEXITED) == 0 && si.si_pid == pid && si.si_status == 3);
	EXPECT(waitid(P_PID, pid, &si, WEXITED) == -1 && errno == ECHILD);
	pid = proc_spawn_child(null_store, 0);
	EXPECT(pid > 0 && waitid(P_PID, pid, &si, WEXITED) == 0 && si.si_pid == pid &&
	       si.si_code == CLD_KILLED && si.si_status == SIGSEGV);
	pid = proc_spawn_child(own_group_then_exit, 4);
	setpgid(pid, pid);	/* both sides, as shells do: no race with its own */
	EXPECT(pid > 0 && waitid(P_PGID, pid, &si, WEXITED) == 0 && si.si_pid == pid &&
	       si.si_status == 4);
	errno = 0;
	EXPECT(waitid(P_ALL, 0, &si, 0) == -1 && errno == EINVAL);	/* no WEXITED etc. */
	EXPECT(waitid(P_ALL, 0, &si, WEXITED | 0x4000) == -1 && errno == EINVAL);
	EXPECT(waitid((idtype_t)7, 0, &si, WEXITED) == -1 && errno == EINVAL);
	EXPECT(waitid(P_PID, 0, &si, WEXITED) == -1 && errno == EINVAL);
	EXPECT(waitid(P_ALL, 0, &si, WEXITED | WNOHANG) == -1 && errno == ECHILD);
	EXPECT(waitpid(-1, 0, WNOWAIT) == -1 && errno == EINVAL);	/* wait4 has none */
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

#define WRAP_TRIES	600	/* forks to look for a wrap: a small pid_max boot's */
#define KEPT		3

static int wait_for_flag(long flag)
{
	while (!*(volatile int *)flag)
		nh_sleep_ns(2000000);
	return 0;
}

static int is_kept(const pid_t *kept, pid_t pid)
{
	for (int i = 0; i < KEPT; i++)
		if (kept[i] == pid)
			return 1;
	return 0;
}

/* Fork and reap until pids wrap twice: each wrap starts again low and
 * skips the pids still in use.  0 if they never wrapped in the tries. */
static int wraps_skip_live_pids(const pid_t *kept, int *ok_out)
{
	int ok = 1, wraps = 0, status;
	pid_t last = 0;

	for (int i = 0; i < WRAP_TRIES && wraps < 2 && ok; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		EXPECT(pid > 1 && waitpid(pid, &status, 0) == pid && !is_kept(kept, pid));
		if (pid < last) {
			wraps++;
			EXPECT(pid < last / 2);		/* back to the bottom */
		}
		last = pid;
	}
	*ok_out &= ok;
	return wraps;
}

/* Fork without reaping until the pids run out: EAGAIN, nothing left
 * behind; then every child reaped. */
static void runs_out_with_eagain(int *ok_out)
{
	int ok = 1, n = 0, status;
	pid_t pid;

	for (; n < WRAP_TRIES; n++) {
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			nh_sleep_ns(3000000000ull);
			_exit(0);
		}
		if (pid < 0)
			break;
	}
	EXPECT(n < WRAP_TRIES && errno == EAGAIN);
	printf("# pids ran out after %d more children: EAGAIN\n", n);
	for (int i = 0; i < n; i++)
		EXPECT(wait(&status) > 1 && proc_exited_with(status, 0));
	*ok_out &= ok;
}

/* A boot with a small nuthatch.pid_max (tools/testsuite.py's pid_max
 * suite): pids wrap, skip those in use, and run out with EAGAIN.  Other
 * boots, whose pid_max is too large to wrap soon, skip it. */
int proc_pids_wrap_at_pid_max_and_run_out(void)
{
	struct proc_table before = proc_table_now();
	volatile int *flag = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t kept[KEPT];
	int ok = 1, wraps, status;

	if (flag == MAP_FAILED)
		return NH_TEST_FAIL;
	*flag = 0;
	for (int i = 0; i < KEPT; i++)
		kept[i] = proc_spawn_child(wait_for_flag, (long)flag);
	wraps = wraps_skip_live_pids(kept, &ok);
	if (wraps >= 2)
		runs_out_with_eagain(&ok);
	*flag = 1;
	for (int i = 0; i < KEPT; i++)
		EXPECT(waitpid(kept[i], &status, 0) == kept[i] && proc_exited_with(status, 0));
	munmap((void *)flag, 4096);
	EXPECT(proc_table_back(&before));
	if (ok && wraps < 2) {
		printf("# pid_max is too large to wrap here: the pid_max boot runs this\n");
		return NH_TEST_SKIP;
	}
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* Exec @path in a child with @argv and WANT=@want for /bin/argvis; the
 * child's exit code (100 + errno if its exec failed). */
static int exec_with_want(const char *path, char *const argv[], const char *want)
{
	static char env[512];
	char *const envp[] = { env, 0 };
	int status = -1;
	pid_t pid;

	snprintf(env, sizeof(env), "WANT=%s", want);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(100 + errno);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* "#!" scripts: the interpreter gets its optional argument, the script's
 * path and the script's arguments; interpreters may be scripts four
 * deep; Linux's errors otherwise, with the caller intact. */
int proc_exec_runs_scripts_through_their_interpreter(void)
{
	static char want_long[400];
	char *const argv[] = { "script", "a", "b", 0 }, *const argv2[] = { "s2", "z", 0 };
	char *const bare[] = { "x", 0 };
	struct proc_table before = proc_table_now();
	int ok = 1, n;

	EXPECT(exec_with_want("/bin/script", argv, "/bin/argvis|one two|/bin/script|a|b") == 0);
	EXPECT(exec_with_want("/bin/script2", argv2,
			      "/bin/argvis|one two|/bin/script|/bin/script2|z") == 0);
	EXPECT(exec_with_want("/bin/script-cut", bare, "/bin/argvis|/bin/script-cut") == 0);
	n = snprintf(want_long, sizeof(want_long), "/bin/argvis|");
	memset(want_long + n, 'x', 241);
	snprintf(want_long + n + 241, sizeof(want_long) - n - 241, "|/bin/script-long");
	EXPECT(exec_with_want("/bin/script-long", bare, want_long) == 0);
	errno = 0;
	EXPECT(execv("/bin/script-loop", bare) == -1 && errno == ELOOP);
	EXPECT(execv("/bin/script-missing", bare) == -1 && errno == ENOENT);
	EXPECT(execv("/bin/script-empty", bare) == -1 && errno == ENOEXEC);
	EXPECT(execv("/bin/script-longname", bare) == -1 && errno == ENOEXEC);
	EXPECT(getppid() == 1);			/* and we run on */
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int hold[2];	/* a pipe: the children below end at its end of file */

/* Ends with @code once the parent closes the pipe's write end (not on a
 * clock: a loaded host may stall a hart for longer than any margin). */
static int held_then(long code)
{
	char c;

	close(hold[1]);
	while (read(hold[0], &c, 1) > 0)
		;
	return (int)code;
}

static volatile long interrupter_handle;
static char interrupter_stack[4096] __attribute__((aligned(16)));

/* A bare thread (no libc): interrupts the test server 50 ms after it is
 * given a handle to it. */
static void interrupter(long arg)
{
	(void)arg;
	while (!__atomic_load_n(&interrupter_handle, __ATOMIC_ACQUIRE))
		nh_yield();
	nh_sleep_ns(50000000);
	nh_exit((int)nh_task_interrupt(interrupter_handle));
}

/* A wait whose caller is interrupted is gone from the server (the
 * kernel's cancel notice): it must not reap a child for nobody.  Two
 * children end after the interrupted wait (when the pipe they read
 * ends); both statuses are ours. */
int proc_an_interrupted_wait_reaps_nothing(void)
{
	struct proc_table before = proc_table_now();
	struct nh_exit e;
	int ok = 1, status = -1, got = 0, piped = pipe(hold) == 0;
	pid_t a = proc_spawn_child(held_then, 11), b;
	long self = nh_handle_dup(NH_SELF_TASK, NH_RIGHT_CONTROL | NH_RIGHT_GRANT), t;

	b = proc_spawn_child(held_then, 12);
	close(hold[0]);
	EXPECT(piped);
	interrupter_handle = 0;
	t = ts_thread(interrupter, interrupter_stack + sizeof(interrupter_stack), 0);
	EXPECT(a > 0 && b > 0 && self > 0 && t > 0);
	__atomic_store_n(&interrupter_handle, nh_handle_install(t, self, NH_RIGHT_CONTROL),
			 __ATOMIC_RELEASE);
	errno = 0;
	EXPECT(waitpid(-1, &status, 0) == -1 && errno == EINTR);	/* at 50 ms */
	/* the server has let the wait go: no waiter left for us (both
	 * children still run, so nothing else would have removed it) */
	for (int i = 0; i < 50 && proc_table_now().waiters != before.waiters; i++)
		nh_sleep_ns(1000000);
	EXPECT(proc_table_now().waiters == before.waiters);
	close(hold[1]);		/* now they end */
	for (int i = 0; i < 2; i++) {
		pid_t pid = waitpid(-1, &status, 0);

		EXPECT((pid == a && proc_exited_with(status, 11)) ||
		       (pid == b && proc_exited_with(status, 12)));
		got += pid == a || pid == b;
	}
	EXPECT(got == 2);
	EXPECT(nh_task_wait(t, &e) == 0 && e.code == 0);	/* the interrupt took */
	EXPECT(nh_ipc_reply_notify(NH_PROC_HANDLE, NH_PROC_HANDLE, 1) == -NH_EBADF);	/* no reply */
	EXPECT(nh_ipc_reply_notify(12345, NH_PROC_HANDLE, 1) == -NH_EBADF);
	nh_handle_close(t);
	nh_handle_close(self);
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int sleeps_long(long arg)
{
	(void)arg;
	nh_sleep_ns(30ull * 1000000000);
	return 0;
}

/* kill, until signals: 0 checks, a signal whose default ends a process
 * ends it (the signal in its wait status), one ignored by default does
 * nothing; groups, -1, init and bad arguments. */
int proc_kill_ends_processes_with_the_signal(void)
{
	struct proc_table before = proc_table_now();
	int ok = 1, status = -1;
	pid_t a, b;

	a = proc_spawn_child(sleeps_long, 0);
	EXPECT(a > 0 && kill(a, 0) == 0 && kill(a, SIGCHLD) == 0);
	EXPECT(waitpid(a, &status, WNOHANG) == 0);		/* SIGCHLD: ignored */
	EXPECT(kill(a, SIGTERM) == 0 && waitpid(a, &status, 0) == a &&
	       WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	EXPECT(kill(a, 0) == -1 && errno == ESRCH);		/* reaped: gone */
	EXPECT(kill(a, 99) == -1 && errno == EINVAL);
	EXPECT(kill(getpid(), -1) == -1 && errno == EINVAL);
	EXPECT(kill(getpid(), SIGSTOP) == -1 && errno == ENOSYS);	/* stops: with signals */
	EXPECT(kill(1, SIGKILL) == 0 && kill(1, 0) == 0);	/* init takes none */
	/* a group: two children in a group of their own */
	a = proc_spawn_child(sleeps_long, 0);
	b = proc_spawn_child(sleeps_long, 0);
	EXPECT(a > 0 && b > 0 && setpgid(a, a) == 0 && setpgid(b, a) == 0);
	EXPECT(kill(-a, SIGKILL) == 0);
	EXPECT(waitpid(a, &status, 0) == a && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT(waitpid(b, &status, 0) == b && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT(killpg(a, 0) == -1 && errno == ESRCH && killpg(-3, 0) == -1 && errno == EINVAL);
	EXPECT(kill(0, 0) == 0);				/* its own group */
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}
