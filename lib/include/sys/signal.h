/*
 * <sys/signal.h> for Nuthatch: replaces picolibc's, whose siginfo_t has
 * three fields and whose sigaction has no sa_sigaction that Linux
 * programs can rely on.  Signal numbers stay picolibc's (SIGUSR1 30,
 * SIGCHLD 20), so the C library and the servers agree; the layouts,
 * flag values and si_code values are Linux's.  Signal delivery itself
 * comes with the signals issue: until then this header serves waitid
 * (si_pid, si_status, si_code) and the types POSIX code declares.
 */
#ifndef _SYS_SIGNAL_H
#define _SYS_SIGNAL_H

#include <sys/cdefs.h>
#include <sys/features.h>
#include <sys/types.h>
#include <sys/_sigset.h>
#include <sys/_timespec.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(_SIGSET_T_DECLARED)
#define _SIGSET_T_DECLARED
typedef __sigset_t sigset_t;	/* bit n-1 for signal n */
#endif

/* picolibc's numbers */
#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGIOT		6
#define SIGABRT		6
#define SIGEMT		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGBUS		10
#define SIGSEGV		11
#define SIGSYS		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGURG		16
#define SIGSTOP		17
#define SIGTSTP		18
#define SIGCONT		19
#define SIGCHLD		20
#define SIGCLD		SIGCHLD
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGIO		23
#define SIGPOLL		SIGIO
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGLOST		29
#define SIGUSR1		30
#define SIGUSR2		31
#define NSIG		32	/* signal 0 implied */
#define _NSIG		NSIG

typedef void (*_sig_func_ptr)(int);

union sigval {
	int sival_int;
	void *sival_ptr;
};

#define SIGEV_SIGNAL	0	/* Linux's values */
#define SIGEV_NONE	1
#define SIGEV_THREAD	2

struct sigevent {
	union sigval sigev_value;
	int sigev_signo;
	int sigev_notify;
	void (*sigev_notify_function)(union sigval);
	void *sigev_notify_attributes;
};

/* Linux's field names; what a field means depends on si_code. */
typedef struct {
	int si_signo;
	int si_errno;
	int si_code;
	pid_t si_pid;		/* the sender, or the child (SIGCHLD, waitid) */
	uid_t si_uid;
	int si_status;		/* SIGCHLD: the exit code or the signal */
	void *si_addr;		/* SIGSEGV, SIGBUS, SIGILL, SIGFPE: the address */
	union sigval si_value;
	long si_band;
	long __pad[4];
} siginfo_t;

/* si_code (Linux's values) */
#define SI_USER		0
#define SI_KERNEL	0x80
#define SI_QUEUE	(-1)
#define SI_TIMER	(-2)
#define SI_MESGQ	(-3)
#define SI_ASYNCIO	(-4)
#define SI_TKILL	(-6)
#define ILL_ILLOPC	1
#define ILL_ILLOPN	2
#define ILL_ILLADR	3
#define ILL_ILLTRP	4
#define ILL_PRVOPC	5
#define ILL_PRVREG	6
#define ILL_COPROC	7
#define ILL_BADSTK	8
#define FPE_INTDIV	1
#define FPE_INTOVF	2
#define FPE_FLTDIV	3
#define FPE_FLTOVF	4
#define FPE_FLTUND	5
#define FPE_FLTRES	6
#define FPE_FLTINV	7
#define FPE_FLTSUB	8
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define BUS_ADRALN	1
#define BUS_ADRERR	2
#define BUS_OBJERR	3
#define TRAP_BRKPT	1
#define TRAP_TRACE	2
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3
#define CLD_TRAPPED	4
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

struct sigaction {
	union {
		_sig_func_ptr __sa_handler;
		void (*__sa_sigaction)(int, siginfo_t *, void *);
	} __sa_u;
	sigset_t sa_mask;
	int sa_flags;
};
#define sa_handler	__sa_u.__sa_handler
#define sa_sigaction	__sa_u.__sa_sigaction

/* sa_flags (Linux's values) */
#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000
#define SA_NOMASK	SA_NODEFER
#define SA_ONESHOT	SA_RESETHAND

typedef struct {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
} stack_t;

#define SS_ONSTACK	1
#define SS_DISABLE	2
#define MINSIGSTKSZ	2048
#define SIGSTKSZ	8192

/* sigprocmask's how (Linux's values) */
#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

/* The signal-set operations, with POSIX's EINVAL for a bad number. */
int __nh_sigbad(void);	/* lib/posix: errno = EINVAL, -1 */

static __inline int sigemptyset(sigset_t *s)
{
	*s = 0;
	return 0;
}

static __inline int sigfillset(sigset_t *s)
{
	*s = (sigset_t)((1ull << (NSIG - 1)) - 1);
	return 0;
}

static __inline int sigaddset(sigset_t *s, int sig)
{
	if (sig <= 0 || sig >= NSIG)
		return __nh_sigbad();
	*s |= (sigset_t)1 << (sig - 1);
	return 0;
}

static __inline int sigdelset(sigset_t *s, int sig)
{
	if (sig <= 0 || sig >= NSIG)
		return __nh_sigbad();
	*s &= ~((sigset_t)1 << (sig - 1));
	return 0;
}

static __inline int sigismember(const sigset_t *s, int sig)
{
	if (sig <= 0 || sig >= NSIG)
		return __nh_sigbad();
	return (int)((*s >> (sig - 1)) & 1);
}

/* lib/posix/process.c, over the process server: until signals exist,
 * a signal whose default action ends a process ends it. */
int kill(pid_t pid, int sig);
int killpg(pid_t pgrp, int sig);

#define SIG2STR_MAX	(sizeof("RTMAX+") + sizeof("4294967295") - 1)
int sig2str(int sig, char *str);
int str2sig(const char *__restrict str, int *__restrict sig);

#ifdef __cplusplus
}
#endif

#ifndef _SIGNAL_H_
#include <signal.h>	/* as in glibc, <sys/signal.h> is <signal.h> */
#endif

#endif
