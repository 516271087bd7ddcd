/* The shell: scripts run by /bin/sh -c in a fresh directory under /tmp,
 * each one's wait status and stdout printed.  On the host /bin/sh is
 * dash with GNU coreutils, on Nuthatch user/sh with Nuthatch's programs,
 * so the scripts use only what prints the same on both: echo (plain
 * words and -n, never a backslash: dash's echo reads escapes), cat,
 * wc -l on stdin, head -n N, true, false, mkdir, rm, mv, cp, ls of a
 * directory (one name a line, sorted), cd, pwd, and sh itself (-c, a
 * script file, a "#!/bin/sh" script).  Error messages differ: stderr
 * goes to /dev/null, and where one matters only its line is counted.
 * The directory's name is printed as TMP. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posixtest.h"

#ifndef SHELL_PATH
#define SHELL_PATH	"/bin/sh"
#endif

static char top[32] = "/tmp/posix-shell-XXXXXX";	/* mkdtemp's */

static const char *const scripts[] = {
	/* words and quoting */
	"echo hello   world",
	"echo 'single  quoted' \"double  quoted\" plain\\ escaped",
	"echo \"a\\\"b\" 'c\"d' \"it's\" 'x'\"y\"z",
	"echo \"\\$HOME\" '$HOME' \\$HOME",
	"echo a#b # a comment",
	"echo -n no; echo newline",
	"echo 'two\nlines'",
	"echo a \\\nb",
	/* variables and $? */
	"X=abc; echo $X ${X}def \"[$X]\" '$X'",
	"echo \"[$UNSET_IN_THIS_TEST]\"",
	"X=1; X=$X$X; X=\"$X $X\"; echo $X",
	"X='a   b'; echo $X; echo \"$X\"",
	"false; echo $?; true; echo $?",
	"X=ok; unset X; echo \"[$X]\"",
	"echo ${UNSET_IN_THIS_TEST:-default} ${X-other}",
	"echo $$ | wc -l",
	"echo $(echo command substitution) `echo backquotes`",
	/* the environment */
	"export X=1; sh -c 'echo child sees $X'",
	"Y=2; sh -c 'echo \"child [$Y]\"'; export Y; sh -c 'echo child $Y'",
	"Z=3 sh -c 'echo child $Z'; echo \"shell [$Z]\"",
	"export W; W=4; sh -c 'echo child $W'",
	"export V=5; unset V; sh -c 'echo \"child [$V]\"'",
	/* pipelines */
	"echo one stage | cat",
	"echo a | cat | cat",
	"echo a | cat | cat | wc -l",
	"echo five | cat | cat | cat | cat",
	"(echo 1; echo 2; echo 3; echo 4) | head -n 3 | cat | wc -l",
	"true | false; echo $?; false | true; echo $?",
	/* redirections */
	"echo one > f1; cat f1; echo two >> f1; cat f1; wc -l < f1",
	"cat < f1; cat 0< f1",
	"echo to3 3> f2 1>&3; cat f2",
	"exec 4< f1; head -n 1 <&4",
	"echo out 2> f3 > f4; cat f4; wc -l < f3",
	"cat /nonexistent 2>&1 | wc -l",
	"cat /nonexistent 2> f5; wc -l < f5",
	"(echo out; cat /nonexistent) 2>&1 > /dev/null | wc -l",
	"(echo out; cat /nonexistent) > /dev/null 2>&1 | wc -l",
	"echo rw 1<> f6; cat f6",
	"echo clobber >| f7; cat f7",
	"> f8; wc -l < f8",
	"pwd > f9; wc -l < f9",
	/* lists */
	"true && echo and1; false && echo and2; false || echo or1; true || echo or2",
	"false && echo x || echo y; true && false || echo z; echo $?",
	"false || false || echo third; true && true && echo both",
	"echo a; echo b ; echo c",
	"! true; echo $?; ! false; echo $?",
	/* background jobs */
	"echo bg > b1 & wait; cat b1",
	"(exit 3) & wait $!; echo waited $?",
	"sh -c 'exit 5' & wait $!; echo waited $?",
	"(echo x > b2) & (echo y > b3) & wait; cat b2 b3",
	"wait; echo nothing to wait for $?",
	/* exit statuses */
	"exit 3",
	"false; exit",
	"(exit 4); echo $?",
	"nosuchcommand-here 2> /dev/null; echo $?",
	"echo x | nosuchcommand-here 2> /dev/null; echo $?",
	"sh -c 'echo (' 2> /dev/null; echo $?",
	/* scripts with arguments */
	"sh args.sh one 'two  three'; echo script said $?",
	"sh args.sh; echo script said $?",
	/* directories and files */
	"mkdir sub; cd sub; pwd; cd ..; pwd",
	"cd nosuchdir 2> /dev/null || echo cd failed",
	"mkdir d; echo x > d/a1; cp d/a1 d/b2; mv d/b2 d/c3; ls d; rm d/a1; ls d",
	"mkdir e; cd e; echo x > y; ls .; cd ..; rm e/y; ls e | wc -l",
	"HOME=$PWD/sub; cd; pwd; cd /; pwd",
	"./hashbang.sh one two; echo status $?",
	"{ echo grouped; echo output; } > g1; cat g1",
	"echo \"multi\nline script\"\necho second line\nexit 7",
};

#define NSCRIPTS	(sizeof(scripts) / sizeof(scripts[0]))

/* The script that "sh args.sh ..." runs, and one the system runs by
 * its "#!" line. */
static const char args_sh[] =
	"echo \"$0\" $# \"[$1]\" \"[$2]\"\n"
	"all=$*\n"
	"echo \"$all\"\n"
	"exit 6\n";
static const char hashbang_sh[] =
	"#!/bin/sh\n"
	"echo run by its hashbang line: $# $1 $2\n"
	"exit 8\n";

/* Write @text to file @name, with @mode. */
static int make(const char *name, const char *text, mode_t mode)
{
	int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, mode);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* One line of output, with the directory's name as TMP. */
static void print_line(const char *s, size_t n)
{
	size_t tn = strlen(top);

	fputs("  ", stdout);
	for (size_t i = 0; i < n; ) {
		if (n - i >= tn && memcmp(s + i, top, tn) == 0) {
			fputs("TMP", stdout);
			i += tn;
		} else {
			putchar(s[i++]);
		}
	}
	putchar('\n');
}

/* What a child printed, line by line (and a note if it did not end a line). */
static void print_output(const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl ? (size_t)(nl - s) : n;

		print_line(s, len);
		if (!nl)
			puts("  (no newline at the end)");
		len += nl != NULL;
		s += len;
		n -= len;
	}
}

static void run(int number, const char *script)
{
	static char out[16384];
	char label[32];
	size_t got = 0;
	ssize_t r;
	int p[2];
	pid_t pid;

	if (pipe(p) < 0) {
		printf("script %d: pipe %s\n", number, errname(errno));
		return;
	}
	pid = spawn();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		close(p[0]);
		dup2(p[1], 1);
		close(p[1]);
		dup2(null, 2);
		close(null);
		execl(SHELL_PATH, "sh", "-c", script, (char *)NULL);
		_exit(126);
	}
	close(p[1]);
	while (got < sizeof(out) && (r = read(p[0], out + got, sizeof(out) - got)) > 0)
		got += (size_t)r;
	close(p[0]);
	snprintf(label, sizeof(label), "script %d", number);
	reap(label, pid);
	print_output(out, got);
}

/* Remove everything under @path; how many things could not be. */
static int rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int left = 0;

	while (d && (de = readdir(d)) != NULL) {
		char sub[256];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
			continue;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
			left += rm_tree(sub);
			left += rmdir(sub) != 0;
		} else {
			left += unlink(sub) != 0;
		}
	}
	if (d)
		closedir(d);
	return left;
}

int main(void)
{
	int left;

	if (!mkdtemp(top) || chdir(top) < 0) {
		printf("mkdtemp and chdir: %s\n", errname(errno));
		return 1;
	}
	umask(022);
	if (make("args.sh", args_sh, 0644) < 0 || make("hashbang.sh", hashbang_sh, 0755) < 0)
		printf("writing the scripts: %s\n", errname(errno));
	for (size_t i = 0; i < NSCRIPTS; i++)
		run((int)i + 1, scripts[i]);
	chdir("/");
	left = rm_tree(top);
	printf("left behind %d\n", left);
	SAY("rmdir TMP", rmdir(top));
	return left != 0;
}
