/*
 * The programs people use (/bin, user/cmd and the shell): each answers
 * --help with its usage on standard output and status 0, and refuses an
 * option it does not know with status 1 (2 for ls's and env's own
 * conventions aside: any failure) and words on standard error, nothing
 * on standard output; ps lists this test server, the kernel's threads
 * with -e, and refuses an unknown column.  Run through fork, exec and
 * pipes, as a shell runs them.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nhtest.h"
#include "parts.h"

static const char *const programs[] = {
	"cat", "cp", "echo", "env", "false", "free", "head", "kill", "ls", "mkdir", "mv",
	"poweroff", "ps", "pwd", "rm", "rmdir", "sleep", "true", "uname", "wc",
};

/* All of @fd (up to @cap - 1 bytes) into @buf, NUL-ended. */
static void drain(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(fd);
}

/* Run /bin/@name with @arg; its output (up to @cap bytes) in @out, @err
 * (its errors are a line or two: they fit in the pipe meanwhile). */
static int run(const char *name, const char *arg, char *out, char *err, size_t cap)
{
	char path[64];
	int po[2], pe[2], status = -1;
	pid_t pid;

	snprintf(path, sizeof(path), "/bin/%s", name);
	if (pipe(po) || pipe(pe))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]), close(pe[0]), close(po[1]), close(pe[1]);
		execl(path, name, arg, (char *)0);
		_exit(127);
	}
	close(po[1]), close(pe[1]);
	drain(po[0], out, cap);
	drain(pe[0], err, cap);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int helps(const char *name)
{
	char out[2048], err[2048], want[64];
	int st = run(name, "--help", out, err, sizeof(out));

	snprintf(want, sizeof(want), "Usage: %s", name);
	if (strncmp(out, want, strlen(want)) || err[0] ||
	    st != (strcmp(name, "false") ? 0 : 1)) {	/* GNU's false fails even then */
		printf("# %s --help: status %d, out \"%.40s\"\n", name, st, out);
		return 0;
	}
	return 1;
}

static int refuses(const char *name)
{
	char out[2048], err[2048];
	int st;

	if (!strcmp(name, "true") || !strcmp(name, "false") || !strcmp(name, "echo"))
		return 1;	/* they take no options to refuse (POSIX) */
	st = run(name, "--no-such-option", out, err, sizeof(out));
	if (st == 0 || out[0] || !err[0]) {
		printf("# %s --no-such-option: status %d, out \"%.40s\"\n", name, st, out);
		return 0;
	}
	return 1;
}

int cmd_every_program_helps_and_refuses_bad_options(void)
{
	int ok = 1;

	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		ok &= helps(programs[i]);
		ok &= refuses(programs[i]);
	}
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

/* The line of @out that ends with @name, or 0. */
static const char *line_of(const char *out, const char *name)
{
	char want[32];
	const char *end;

	snprintf(want, sizeof(want), " %s\n", name);
	if (!(end = strstr(out, want)))
		return 0;
	while (end > out && end[-1] != '\n')
		end--;
	return end;
}

int cmd_ps_lists_processes_and_kernel_threads(void)
{
	char out[4096], err[2048], me[32];
	int ok = 1;

	snprintf(me, sizeof(me), "%5d ", getpid());
	EXPECT(run("ps", 0, out, err, sizeof(out)) == 0 && strstr(out, "  PID  PPID S") &&
	       strstr(out, me) && line_of(out, "ps") && !strstr(out, "[idle/0]"));
	EXPECT(line_of(out, "ps") && !strncmp(line_of(out, "ps") + 12, "R ", 2));	/* itself */
	EXPECT(run("ps", "-e", out, err, sizeof(out)) == 0 && strstr(out, "[idle/0]") &&
	       strstr(out, "    1     0 S") && strstr(out, " init\n"));
	EXPECT(run("ps", "-opid,comm", out, err, sizeof(out)) == 0 &&
	       !strncmp(out, "  PID CMD\n", 10));
	EXPECT(run("ps", "-onope", out, err, sizeof(out)) == 1 && !out[0] && err[0]);
	EXPECT(run("free", "-m", out, err, sizeof(out)) == 0 && strstr(out, "\nMem: "));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}
