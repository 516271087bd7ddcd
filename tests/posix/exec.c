/* The exec family: success in a child, and the errors that return. */
#include <stdlib.h>
#include <unistd.h>

#include "posixtest.h"

int main(void)
{
	char *const argv[] = { "true", 0 };
	char *const empty_env[] = { 0 };
	int status = 0;
	pid_t pid;

	SAY("execv of a missing file", execv("/no/such/program", argv));
	SAY("execv of an empty path", execv("", argv));
	SAY("execvp of a missing name", execvp("no-such-program-anywhere", argv));
	SAY("execve of a missing file", execve("/no/such/program", argv, empty_env));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv("/bin/true", argv);
		_exit(99);
	}
	waitpid(pid, &status, 0);
	printf("child exec of /bin/true: %s\n", status_words(status));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)0);
		_exit(98);
	}
	waitpid(pid, &status, 0);
	printf("child execl: %s\n", status_words(status));
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		execv("/no/such/program", argv);
		_exit(errno == ENOENT ? 7 : 8);
	}
	waitpid(pid, &status, 0);
	printf("vfork child's failed exec: %s\n", status_words(status));
	return 0;
}
