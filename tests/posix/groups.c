/* Process groups and sessions: setpgid, getpgid, setsid, getsid rules. */
#include <stdlib.h>
#include <unistd.h>

#include "posixtest.h"

int main(void)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pid_t me = getpid();

		printf("child: own group at first %d\n", getpgid(0) == me);
		printf("child: setsid gives its pid %d\n", setsid() == me);
		printf("child: now leads session and group %d %d\n", getsid(0) == me,
		       getpgid(0) == me);
		SAY("child: setsid again", setsid());
		SAY("child: setpgid into another session's group", setpgid(0, getppid()));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		usleep(100000);
		_exit(0);
	}
	SAY("parent: setpgid of the child", setpgid(pid, pid));
	printf("parent: child's group is its pid %d\n", getpgid(pid) == pid);
	SAY("parent: setpgid negative", setpgid(pid, -1));
	SAY("parent: getpgid of nothing", getpgid(999999));
	SAY("parent: getsid of nothing", getsid(999999));
	waitpid(pid, &status, 0);
	SAY("parent: setpgid of a reaped child", setpgid(pid, pid));
	return 0;
}
