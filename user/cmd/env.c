/*
 * env: with no command, prints the environment, one NAME=value a line.
 * Otherwise runs the command (found on PATH by execvp) in a changed
 * environment: -i (or a lone "-") starts it empty, -u NAME takes NAME
 * out, and each NAME=value operand before the command is put in.  As in
 * GNU env, the exit status is the command's, or 125 if env itself
 * failed, 126 if the command could not be run, 127 if it was not found.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAILED		125	/* env itself */
#define CANNOT_RUN	126
#define NOT_FOUND	127

extern char **environ;

static void help(void)
{
	puts("Usage: env [-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...]\n"
	     "  -i, -    start with an empty environment\n"
	     "  -u NAME  remove NAME from the environment");
}

static int usage_error(const char *msg, int c)
{
	fprintf(stderr, "env: %s -- '%c'\nTry 'env --help' for more information.\n", msg, c);
	return FAILED;
}

static void clear_environment(void)
{
	static char *empty[] = { NULL };

	environ = empty;
}

/* Applies the options; the status to exit with, or 0 to go on. */
static int apply_options(int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt(argc, argv, "+iu:")) != -1) {
		if (c == '?')
			return usage_error(optopt == 'u' ? "option requires an argument"
					   : "invalid option", optopt);
		if (c == 'i') {
			clear_environment();
		} else if (unsetenv(optarg)) {
			fprintf(stderr, "env: cannot unset '%s': %s\n", optarg, strerror(errno));
			return FAILED;
		}
	}
	return 0;
}

/* Puts the NAME=value operands from @i in; the first operand after
 * them (the command), or -1 if one could not be put in. */
static int apply_assignments(int argc, char **argv, int i)
{
	if (i < argc && strcmp(argv[i], "-") == 0) {
		clear_environment();	/* "-": -i's old spelling */
		i++;
	}
	for (; i < argc && strchr(argv[i], '='); i++) {
		if (putenv(argv[i])) {
			fprintf(stderr, "env: cannot set '%s': %s\n", argv[i], strerror(errno));
			return -1;
		}
	}
	return i;
}

static int print_environment(void)
{
	for (char **e = environ; *e; e++)
		puts(*e);
	return fflush(stdout) ? FAILED : 0;
}

int main(int argc, char **argv)
{
	int i, err;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	if ((err = apply_options(argc, argv)))
		return err;
	if ((i = apply_assignments(argc, argv, optind)) < 0)
		return FAILED;
	if (i == argc)
		return print_environment();
	execvp(argv[i], argv + i);
	err = errno;
	fprintf(stderr, "env: '%s': %s\n", argv[i], strerror(err));
	return err == ENOENT ? NOT_FOUND : CANNOT_RUN;
}
