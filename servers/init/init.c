/*
 * init, pid 1: the first process the process server starts, with the
 * boot arguments as argv.  It opens /dev/console as descriptors 0, 1
 * and 2, then starts one program: init=PATH if the
 * arguments name one, else the test server when nuthatch.test=PATTERN
 * is given, the process benchmarks when nuthatch.ubench=PATTERN is,
 * else the shell (/bin/sh) under a banner, started again whenever it
 * ends.  Then it reaps every child (orphans are reparented to it)
 * forever.  When the program it
 * started was the test server (or the benchmarks) and that ends without
 * powering off (it crashed), init reports it and powers off with a failing verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nuthatch.h"

#define TESTSERVER	"/bin/testserver"
#define PROCBENCH	"/bin/procbench"
#define SHELL		"/bin/sh"

static const char *arg(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, n))
			return argv[i] + n;
	return 0;
}

static pid_t start(const char *path, const char *arg1)
{
	char *const args[] = { (char *)path, (char *)arg1, 0 };
	pid_t pid = fork();

	if (pid == 0) {
		execv(path, args);
		printf("init: cannot run %s: errno %d\n", path, errno);
		_exit(127);
	}
	if (pid < 0)
		printf("init: fork failed: errno %d\n", errno);
	return pid;
}

/* Descriptors 0, 1 and 2 on the console, as every program after it
 * inherits them (the file server gave init an empty table). */
static void open_console(void)
{
	int fd = open("/dev/console", O_RDWR);

	if (fd != 0 || dup(0) != 1 || dup(0) != 2)
		nh_debug_write("init: no /dev/console\n", 22);
}

static pid_t start_shell(void)
{
	struct utsname u;

	if (uname(&u) == 0)
		printf("\n%s %s on %s (%ld harts, %ld MiB)\n", u.sysname, u.release, u.machine,
		       sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_PHYS_PAGES) / 256);
	printf("'help' lists the shell's own commands, 'ls /bin' the programs, "
	       "'poweroff' ends.\n\n");
	fflush(stdout);
	return start(SHELL, 0);
}

int main(int argc, char **argv)
{
	const char *prog = arg(argc, argv, "init=");
	const char *tests = arg(argc, argv, "nuthatch.test=");
	const char *bench = arg(argc, argv, "nuthatch.ubench=");
	pid_t first = -1;

	open_console();
	if (arg(argc, argv, "nuthatch.bootstat"))
		setenv("NH_BOOTSTAT", "1", 1);	/* the shell tells when its prompt is out */
	if (prog)
		first = start(prog, 0);
	else if (tests)
		first = start(TESTSERVER, *tests ? tests : "*");
	else if (bench)
		first = start(PROCBENCH, *bench ? bench : "*");
	else
		first = start_shell();
	for (;;) {
		int status = 0;
		pid_t pid = wait(&status);

		if (pid < 0) {
			printf("init: wait failed: errno %d\n", errno);
			nh_sleep_ns(1000000000);
			continue;
		}
		if (pid == first && !prog && !tests && !bench) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
				continue;	/* no shell to run: do not spin */
			printf("init: the shell ended (wait status 0x%x); starting another\n",
			       status);
			first = start_shell();
			continue;
		}
		if (pid == first && (tests || bench) && !prog) {
			printf("# init: %s ended with wait status 0x%x\n",
			       tests ? TESTSERVER : PROCBENCH, status);
			fflush(stdout);
			nh_test_poweroff(1);
		}
	}
}
