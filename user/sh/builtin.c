/*
 * The builtins: commands that must change the shell itself (cd, exit,
 * export, unset, set, shift, wait, exec) or are cheaper without a fork
 * (pwd, true, false, :, help).  Each gets argc and argv as a program
 * would and returns its exit status; output goes through stdio, which
 * exec.c flushes before undoing the command's redirections.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

/* @s as a whole decimal number in [0, @max]; -1 if it is not one. */
static long number(const char *s, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (!*s || *end || errno || n < 0 || n > max)
		return -1;
	return n;
}

static int bi_true(int argc, char **argv)
{
	(void)argc, (void)argv;
	return 0;
}

static int bi_false(int argc, char **argv)
{
	(void)argc, (void)argv;
	return 1;
}

/* PWD (and OLDPWD) after a successful chdir; the new one printed if @say. */
static void new_pwd(int say)
{
	char cwd[4096];
	const char *old = var_get("PWD");

	if (old)
		var_set("OLDPWD", old, 0);
	if (!getcwd(cwd, sizeof(cwd)))
		return;
	var_set("PWD", cwd, 0);
	if (say)
		puts(cwd);
}

static int bi_cd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : var_get("HOME");
	int dash = dir && strcmp(dir, "-") == 0;

	if (argc > 2) {
		main_error("cd: too many arguments");
		return 1;
	}
	if (dash && !(dir = var_get("OLDPWD"))) {
		main_error("cd: OLDPWD not set");
		return 1;
	}
	if (!dir || !*dir)
		dir = "/";
	if (chdir(dir) < 0) {
		main_error("cd: %s: %s", dir, strerror(errno));
		return 1;
	}
	new_pwd(dash);
	return 0;
}

static int bi_pwd(int argc, char **argv)
{
	char cwd[4096];

	(void)argc, (void)argv;
	if (!getcwd(cwd, sizeof(cwd))) {
		main_error("pwd: %s", strerror(errno));
		return 1;
	}
	puts(cwd);
	return 0;
}

static int bi_exit(int argc, char **argv)
{
	long n = argc > 1 ? number(argv[1], LONG_MAX) : sh.status;

	if (n < 0) {
		main_error("exit: %s: bad number", argv[1]);
		main_exit(2);
	}
	main_exit((int)(n & 0xff));
}

static int bi_export(int argc, char **argv)
{
	int status = 0;

	if (argc == 1 || (argc == 2 && strcmp(argv[1], "-p") == 0)) {
		var_print(1);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (lex_is_assignment(argv[i]))
			var_set_assignment(argv[i], 1);
		else if (var_export(argv[i]) < 0) {
			main_error("export: %s: bad variable name", argv[i]);
			status = 1;
		}
	}
	return status;
}

static int bi_unset(int argc, char **argv)
{
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			continue;
		if (!var_valid_name(argv[i])) {
			main_error("unset: %s: bad variable name", argv[i]);
			status = 1;
			continue;
		}
		var_unset(argv[i]);
	}
	return status;
}

static int bi_wait(int argc, char **argv)
{
	int status = 0;

	if (argc == 1)
		return job_wait_all();
	for (int i = 1; i < argc; i++) {
		long pid = number(argv[i], INT_MAX);

		if (pid <= 0) {
			main_error("wait: %s: not a process id", argv[i]);
			status = 2;
			continue;
		}
		status = job_wait_pid((pid_t)pid);
	}
	return status;
}

/* The positional parameters replaced by @argv's strings. */
static void set_params(int argc, char **argv)
{
	buf_vec_free(&sh.params);
	for (int i = 0; i < argc; i++)
		buf_vec_push(&sh.params, buf_strdup(argv[i]));
}

static int bi_set(int argc, char **argv)
{
	int skip = argc > 1 && strcmp(argv[1], "--") == 0;

	if (argc == 1) {
		var_print(0);
		return 0;
	}
	if (!skip && (argv[1][0] == '-' || argv[1][0] == '+')) {
		main_error("set: %s: options are not supported", argv[1]);
		return 2;
	}
	set_params(argc - 1 - skip, argv + 1 + skip);
	return 0;
}

static int bi_shift(int argc, char **argv)
{
	long n = argc > 1 ? number(argv[1], INT_MAX) : 1;

	if (n < 0 || (size_t)n > sh.params.n) {
		main_error("shift: can't shift that many");
		return 1;
	}
	for (long i = 0; i < n; i++)
		free(sh.params.v[i]);
	memmove(sh.params.v, sh.params.v + n, (sh.params.n - n + 1) * sizeof(char *));
	sh.params.n -= n;
	return 0;
}

/* exec.c has made the redirections for good; a command replaces the shell. */
static int bi_exec(int argc, char **argv)
{
	if (argc > 1)
		exec_command(argv + 1, NULL);
	return 0;
}

static int bi_help(int argc, char **argv);

/* special: POSIX's special builtins, which keep the assignments before them. */
static const struct builtin {
	const char *name;
	builtin_fn fn;
	int special;
	const char *usage;
} builtins[] = {
	{ ":", bi_true, 1, ":              do nothing, successfully" },
	{ "cd", bi_cd, 0, "cd [DIR | -]   change directory ($HOME, or / without one)" },
	{ "exec", bi_exec, 1, "exec [CMD...]  replace the shell by CMD; or keep redirections" },
	{ "exit", bi_exit, 1, "exit [N]       leave the shell with status N (or $?)" },
	{ "export", bi_export, 1, "export [NAME[=VALUE]...]  put variables in the environment" },
	{ "false", bi_false, 0, "false          fail" },
	{ "help", bi_help, 0, "help           this list" },
	{ "pwd", bi_pwd, 0, "pwd            print the working directory" },
	{ "set", bi_set, 1, "set [--] [ARG...]  list variables; or set $1 $2 ..." },
	{ "shift", bi_shift, 1, "shift [N]      drop the first N positional parameters" },
	{ "true", bi_true, 0, "true           succeed" },
	{ "unset", bi_unset, 1, "unset NAME...  remove variables" },
	{ "wait", bi_wait, 0, "wait [PID...]  wait for background jobs (all, or PID)" },
};

#define NBUILTINS	(sizeof(builtins) / sizeof(builtins[0]))

static int bi_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	puts("Builtins:");
	for (size_t i = 0; i < NBUILTINS; i++)
		printf("  %s\n", builtins[i].usage);
	return 0;
}

static const struct builtin *find(const char *name)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

builtin_fn builtin_find(const char *name)
{
	const struct builtin *b = find(name);

	return b ? b->fn : NULL;
}

int builtin_special(const char *name)
{
	const struct builtin *b = find(name);

	return b && b->special;
}
