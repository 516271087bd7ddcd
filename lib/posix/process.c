/*
 * The POSIX process calls over the process server (servers/proc,
 * protocol servers/proto/proc.tbl), which picolibc lacks: fork, the exec
 * family, the wait family, the ids, kill.  Each is one request on the
 * endpoint every process holds at NH_PROC_HANDLE; errors come back as
 * -NH_E* codes and go to errno (picolibc's values are the kernel's).
 * _exit stays the kernel's exit: the server hears of it from the
 * kernel's exit event.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "posix.h"
#include "proto/proc.h"

extern char **environ;

static uint8_t ipc_page[NH_IPC_BUF_MAX] __attribute__((aligned(4096)));

/* A pthread's own IPC page (pthread.c sets it); 0 in the first thread. */
__thread void *__nh_thread_ipc_page;

/* The stubs need an IPC buffer for requests with a buffer part: this
 * layer's own page (one per thread), registered again for each such
 * request, since the program may have registered another (or none) with
 * nh_ipc_set_buffer behind the stubs' back. */
long __nh_need_buffer(void);
long __nh_need_buffer(void)
{
	return nh_proto_set_buffer(__nh_thread_ipc_page ? __nh_thread_ipc_page : ipc_page);
}

static long need_buffer(void)
{
	return __nh_need_buffer();
}

extern int __nh_multithreaded;	/* pthread.c: a CLONE_THREAD clone was made */

/* The process ends: with threads, all of them (exit_group). */
void _exit(int status)
{
	if (__nh_multithreaded)
		proc_exit_group(NH_PROC_HANDLE, status);
	for (;;)
		nh_exit(status);
}

long __nh_fail(long r)
{
	errno = (int)-r;
	return -1;
}

/* vfork.S's and clone.S's constants. */
_Static_assert(PROC_VFORK == 2010 && PROC_CLONE == 2011 && NH_PROC_HANDLE == 1 &&
	       NH_EBADMSG == 77 && NH_EINVAL == 22 && NH_PROTO_ERROR == 0x7fffffffe000ull,
	       "lib/posix/vfork.S, clone.S");

pid_t fork(void)
{
	int32_t pid = -1;
	long r = proc_fork(NH_PROC_HANDLE, &pid);

	if (r)
		return (pid_t)__nh_fail(r);
	if (pid == 0 && nh_proto_buf())	/* the child: a new task has no buffer */
		nh_proto_set_buffer(nh_proto_buf());
	if (pid == 0)
		__nh_ring_pid = 0;	/* its pipe locks carry its own pid */
	return pid;
}

/* Path, argv and envp as the request's strings; their length or -NH_E2BIG. */
static long pack(char *buf, const char *path, char *const argv[], char *const envp[],
		 uint32_t *argc, uint32_t *envc)
{
	size_t len = 0;
	char *const *v[2] = { argv, envp };
	uint32_t *n[2] = { argc, envc };

	len = strlen(path) + 1;
	if (len > NH_IPC_BUF_MAX)
		return -NH_E2BIG;
	memcpy(buf, path, len);
	for (int k = 0; k < 2; k++) {
		*n[k] = 0;
		for (size_t i = 0; v[k] && v[k][i]; i++, (*n[k])++) {
			size_t one = strlen(v[k][i]) + 1;

			if (one > NH_IPC_BUF_MAX - len)
				return -NH_E2BIG;
			memcpy(buf + len, v[k][i], one);
			len += one;
		}
	}
	return (long)len;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	static char strings[NH_IPC_BUF_MAX];
	uint32_t argc, envc;
	long len, r;

	if (!path || !*path)
		return (int)__nh_fail(path ? -NH_ENOENT : -NH_EFAULT);
	len = pack(strings, path, argv, envp, &argc, &envc);
	if (len < 0)
		return (int)__nh_fail(len);
	r = need_buffer();
	if (!r)
		r = proc_execve(NH_PROC_HANDLE, argc, envc, strings, (size_t)len);
	return (int)__nh_fail(r ? r : -NH_EIO);	/* a reply on success would be a bug */
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/* PATH's entries in turn for a name without a slash; the last error
 * that was not ENOENT wins (as glibc reports EACCES). */
int execvpe(const char *file, char *const argv[], char *const envp[])
{
	const char *path = getenv("PATH");
	char full[256];
	int err = ENOENT;

	if (!file || !*file || strchr(file, '/'))
		return execve(file ? file : "", argv, envp);
	for (path = path ? path : "/bin:/sbin"; ; path++) {
		size_t n = strcspn(path, ":");

		if (n + strlen(file) + 2 <= sizeof(full)) {
			memcpy(full, path, n);
			full[n] = '/';
			strcpy(full + n + 1, file);
			execve(n ? full : file, argv, envp);
			if (errno != ENOENT)
				err = errno;
		}
		path += n;
		if (!*path)
			break;
	}
	errno = err;
	return -1;
}

int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

#define ARGS_MAX	256

/* execl and friends: the variadic list into a vector; E2BIG past ARGS_MAX. */
static int collect(char **v, const char *arg0, va_list ap, char ***envp)
{
	int n = 0;

	for (const char *a = arg0; ; a = va_arg(ap, const char *)) {
		if (n == ARGS_MAX) {
			errno = E2BIG;
			return -1;
		}
		v[n++] = (char *)a;
		if (!a)
			break;
	}
	if (envp)
		*envp = va_arg(ap, char **);
	return 0;
}

int execl(const char *path, const char *arg0, ...)
{
	char *v[ARGS_MAX];
	va_list ap;
	int r;

	va_start(ap, arg0);
	r = collect(v, arg0, ap, 0);
	va_end(ap);
	return r ? r : execv(path, v);
}

int execlp(const char *file, const char *arg0, ...)
{
	char *v[ARGS_MAX];
	va_list ap;
	int r;

	va_start(ap, arg0);
	r = collect(v, arg0, ap, 0);
	va_end(ap);
	return r ? r : execvp(file, v);
}

int execle(const char *path, const char *arg0, ...)
{
	char *v[ARGS_MAX], **envp = 0;
	va_list ap;
	int r;

	va_start(ap, arg0);
	r = collect(v, arg0, ap, &envp);
	va_end(ap);
	return r ? r : execve(path, v, envp);
}

static void to_timeval(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / 1000000000u);
	tv->tv_usec = (suseconds_t)(ns % 1000000000u / 1000);
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	int32_t got = 0, st = 0;
	uint64_t ut = 0, stime = 0;
	long r = proc_wait4(NH_PROC_HANDLE, pid, options, &got, &st, &ut, &stime);

	if (r)
		return (pid_t)__nh_fail(r);
	if (got > 0 && status)
		*status = st;
	if (got > 0 && ru) {
		memset(ru, 0, sizeof(*ru));
		to_timeval(ut, &ru->ru_utime);
		to_timeval(stime, &ru->ru_stime);
	}
	return got;
}

/* A zombie's wait status as waitid's siginfo_t (Linux's fields). */
static void status_info(pid_t pid, int status, uid_t uid, siginfo_t *info)
{
	memset(info, 0, sizeof(*info));
	if (!pid)
		return;			/* WNOHANG, nothing yet: si_pid 0 */
	info->si_signo = SIGCHLD;
	info->si_pid = pid;
	info->si_uid = uid;
	if (WIFEXITED(status)) {
		info->si_code = CLD_EXITED;
		info->si_status = WEXITSTATUS(status);
	} else {
		info->si_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
		info->si_status = WTERMSIG(status);
	}
}

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	int32_t got = 0, st = 0;
	uint32_t uid = 0;
	long r;

	r = proc_waitid(NH_PROC_HANDLE, (int32_t)idtype, (int32_t)id, options, &got, &st, &uid);
	if (r)
		return (int)__nh_fail(r);
	if (info)			/* Linux lets it be NULL */
		status_info(got, st, uid, info);
	return 0;
}

/* sys/signal.h's set operations: a bad signal number. */
int __nh_sigbad(void)
{
	errno = EINVAL;
	return -1;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	return wait4(pid, status, options, 0);
}

pid_t wait(int *status)
{
	return wait4(-1, status, 0, 0);
}

/* An id the server answered, or -1 with errno. */
static pid_t id_or_fail(long r, int32_t id)
{
	return r ? (pid_t)__nh_fail(r) : id;
}

pid_t getpid(void)
{
	int32_t pid = 0;

	return id_or_fail(proc_getpid(NH_PROC_HANDLE, &pid), pid);
}

pid_t getppid(void)
{
	int32_t pid = 0;

	return id_or_fail(proc_getppid(NH_PROC_HANDLE, &pid), pid);
}

pid_t getpgid(pid_t pid)
{
	int32_t g = 0;

	return id_or_fail(proc_getpgid(NH_PROC_HANDLE, pid, &g), g);
}

pid_t getpgrp(void)
{
	return getpgid(0);
}

int setpgid(pid_t pid, pid_t pgid)
{
	return id_or_fail(proc_setpgid(NH_PROC_HANDLE, pid, pgid), 0);
}

pid_t setsid(void)
{
	int32_t s = 0;

	return id_or_fail(proc_setsid(NH_PROC_HANDLE, &s), s);
}

pid_t getsid(pid_t pid)
{
	int32_t s = 0;

	return id_or_fail(proc_getsid(NH_PROC_HANDLE, pid, &s), s);
}

/* Every process runs as uid and gid 0 until credentials come (the
 * signals issue: the server's table already has the fields). */
uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }

int kill(pid_t pid, int sig)
{
	long r = proc_kill(NH_PROC_HANDLE, pid, sig);

	return r ? (int)__nh_fail(r) : 0;
}

/* glibc's: a group below 0 is EINVAL; 0 is the caller's, 1 everyone's. */
int killpg(pid_t pgrp, int sig)
{
	return pgrp < 0 ? (int)__nh_fail(-NH_EINVAL) : kill(-pgrp, sig);
}
