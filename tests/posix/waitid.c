/* waitid: siginfo for an exit and a signal, WNOWAIT, WNOHANG, EINVAL. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posixtest.h"

static pid_t child(int code, int crash)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (crash) {
			volatile int *null = 0;

			*null = 1;
		}
		usleep(20000);
		_exit(code);
	}
	return pid;
}

static void show(const char *label, int r, const siginfo_t *si, pid_t pid)
{
	printf("%s: r %d, pid matches %d, signo %s, code %d, status %d\n", label, r,
	       si->si_pid == pid, signame(si->si_signo), si->si_code,
	       si->si_code == CLD_EXITED ? si->si_status : 0);
}

int main(void)
{
	siginfo_t si;
	pid_t pid = child(5, 0);

	memset(&si, 0, sizeof(si));
	printf("WNOHANG before it ends: r %d, si_pid %d\n",
	       waitid(P_PID, pid, &si, WEXITED | WNOHANG), (int)si.si_pid);
	show("WNOWAIT", waitid(P_PID, pid, &si, WEXITED | WNOWAIT), &si, pid);
	show("then reaped", waitid(P_ALL, 0, &si, WEXITED), &si, pid);
	SAY("and again", waitid(P_PID, pid, &si, WEXITED));
	pid = child(0, 1);
	waitid(P_PID, pid, &si, WEXITED);
	printf("a crash: code is CLD_KILLED %d, status %s\n", si.si_code == CLD_KILLED,
	       signame(si.si_status));
	SAY("no WEXITED", waitid(P_ALL, 0, &si, 0));
	SAY("P_PID 0", waitid(P_PID, 0, &si, WEXITED));
	SAY("nothing left", waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
	return 0;
}
