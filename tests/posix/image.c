/* A program's image as exec builds it: initialized data as the file has
 * it, bss (sharing the data's last page, and pages past it) all zero,
 * text that runs, the same after a fork's copy-on-write and after a
 * write in the child; and the bss of a second exec as clean as the first
 * (the archive's next entry must never show through a page's tail). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posixtest.h"

static int initialized[7] = { 1, 2, 3, 4, 5, 6, 7 };
static char small_bss[100];
static char big_bss[3 * 4096 + 123];

static int all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void check(const char *who)
{
	int sum = 0;

	for (int i = 0; i < 7; i++)
		sum += initialized[i];
	printf("%s: data sum %d\n", who, sum);
	printf("%s: small bss zero %d\n", who, all_zero(small_bss, sizeof(small_bss)));
	printf("%s: big bss zero %d\n", who, all_zero(big_bss, sizeof(big_bss)));
}

int main(int argc, char **argv)
{
	int status = -1;
	pid_t pid;

	check(argc > 1 ? "exec'd" : "first");
	if (argc > 1)
		return 0;
	initialized[0] = 100;
	big_bss[5000] = 1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("child: sees the parent's writes %d %d\n", initialized[0] == 100,
		       big_bss[5000] == 1);
		initialized[1] = 200;		/* its own copy from here */
		fflush(stdout);
		/* (argv[0] is a path on the host; on Nuthatch the runner's name) */
		execl(strchr(argv[0], '/') ? argv[0] : "/bin/posix/image", argv[0], "again",
		      (char *)0);
		_exit(99);
	}
	waitpid(pid, &status, 0);
	printf("parent: child's exec ended with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	printf("parent: keeps its own words %d %d\n", initialized[0] == 100, initialized[1] == 2);
	return 0;
}
