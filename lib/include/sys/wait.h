/*
 * <sys/wait.h> for Nuthatch: replaces picolibc's, which lacks
 * WCONTINUED, WCOREDUMP, WIFCONTINUED, idtype_t, waitid and wait4
 * (waitid's siginfo_t comes from lib/include/sys/signal.h).
 * Option values and the status encoding are Linux's, which the process
 * server speaks: exit code << 8; a signal's number (| 0x80 for a core);
 * 0x7f | signal << 8 when stopped; 0xffff when continued.
 */
#ifndef _SYS_WAIT_H
#define _SYS_WAIT_H

#include <sys/types.h>
#include <signal.h>	/* siginfo_t, for waitid */

#ifdef __cplusplus
extern "C" {
#endif

#define WNOHANG		0x00000001
#define WUNTRACED	0x00000002
#define WSTOPPED	WUNTRACED
#define WEXITED		0x00000004
#define WCONTINUED	0x00000008
#define WNOWAIT		0x01000000

#define WEXITSTATUS(s)	(((s) & 0xff00) >> 8)
#define WTERMSIG(s)	((s) & 0x7f)
#define WSTOPSIG(s)	WEXITSTATUS(s)
#define WCOREDUMP(s)	((s) & 0x80)
#define WIFEXITED(s)	(WTERMSIG(s) == 0)
#define WIFSTOPPED(s)	(((s) & 0xff) == 0x7f)
#define WIFSIGNALED(s)	(((signed char)(((s) & 0x7f) + 1) >> 1) > 0)
#define WIFCONTINUED(s)	((s) == 0xffff)

typedef enum { P_ALL, P_PID, P_PGID, P_PIDFD } idtype_t;	/* Linux's values */

struct rusage;

pid_t wait(int *status);
pid_t waitpid(pid_t pid, int *status, int options);
pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru);
int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options);

#ifdef __cplusplus
}
#endif

#endif
