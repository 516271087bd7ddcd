/*
 * The differential programs (tests/posix, one .c each) under Nuthatch: each runs
 * through fork and exec between two marker lines, which
 * tools/testsuite.py's posix suite finds on the console and compares,
 * line for line and with the wait status, against the same program
 * built for the host and run there.  This test checks only that each
 * one ran; the comparison is the harness's.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nhtest.h"
#include "parts.h"

#ifndef POSIX_PROGS
#define POSIX_PROGS ""	/* the Makefile names them */
#endif

static int run_one(const char *name)
{
	char path[64], *argv[] = { (char *)name, 0 };
	int status = -1;
	pid_t pid;

	snprintf(path, sizeof(path), "/bin/posix/%s", name);
	printf("posix-begin %s\n", name);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	printf("posix-end %s 0x%x\n", name, (unsigned)status);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 127);
}

int posix_differential_programs(void)
{
	char names[] = POSIX_PROGS;
	int ok = 1, n = 0;

	for (char *s = strtok(names, " "); s; s = strtok(0, " "), n++)
		EXPECT(run_one(s));
	EXPECT(n >= 5);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}
