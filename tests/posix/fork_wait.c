/* fork, _exit codes, wait and waitpid: statuses, WNOHANG, ECHILD, EINVAL. */
#include <stdlib.h>
#include <unistd.h>

#include "posixtest.h"

static volatile int word = 1;

int main(void)
{
	int status = 0;
	pid_t me = getpid(), pid;

	for (int code = 0; code < 300; code += 75) {
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(code);
		printf("exit %d -> %s, pid matches %d\n", code,
		       waitpid(pid, &status, 0) == pid ? status_words(status) : "wait failed",
		       pid > 0);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		word = 2;
		_exit(getppid() == me ? 10 : 11);
	}
	waitpid(pid, &status, 0);
	printf("child saw its parent: %s; our word still %d\n", status_words(status), word);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		usleep(50000);
		_exit(4);
	}
	printf("WNOHANG on a running child: %d\n", (int)waitpid(pid, &status, WNOHANG));
	printf("then: %s\n", waitpid(pid, &status, 0) == pid ? status_words(status) : "?");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		volatile int *null = 0;

		*null = 1;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("a null store: %s, core %d\n", status_words(status), WCOREDUMP(status) != 0);
	SAY("waitpid of no child", waitpid(-1, &status, 0));
	SAY("waitpid of a stranger", waitpid(1, &status, 0));
	SAY("wait with nothing", wait(&status));
	SAY("waitpid bad options", waitpid(-1, &status, 0x4000));
	return 3;
}
