/*
 * kill: sends a signal, SIGTERM unless one is named, to each process
 * ID operand with kill(2); a negative ID is a process group.  The
 * signal is given as -NAME, -NUMBER or -s NAME, the name with or without
 * "SIG" (any case); the numbers 1, 2, 3, 9 and 15 mean HUP, INT, QUIT,
 * KILL and TERM everywhere, other numbers are taken as they are.
 * -l lists the signal names, one a line, or translates each operand
 * (a number, or an exit status over 128, to a name; a name to a number).
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

struct sig {
	const char *name;
	int number;
};

static const struct sig sigs[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "SYS", SIGSYS },
};

#define NSIGS	(sizeof(sigs) / sizeof(sigs[0]))

static void help(void)
{
	puts("Usage: kill [-s SIGNAL | -SIGNAL] PID...\n"
	     "   or: kill -l [SIGNAL]...\n"
	     "  -s SIGNAL, -SIGNAL  the signal to send, by name or number (default TERM)\n"
	     "  -l                  list the signal names, or translate SIGNALs");
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "kill: %s\nTry 'kill --help' for more information.\n", msg);
	return 1;
}

static const char *signal_name(int number)
{
	for (size_t i = 0; i < NSIGS; i++)
		if (sigs[i].number == number)
			return sigs[i].name;
	return 0;
}

/* The signal that the number @n means here. */
static int number_signal(long n)
{
	static const int fixed[][2] = {
		{ 1, SIGHUP }, { 2, SIGINT }, { 3, SIGQUIT }, { 9, SIGKILL }, { 15, SIGTERM },
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (fixed[i][0] == n)
			return fixed[i][1];
	return (int)n;
}

/* The signal @s names ("9", "KILL", "SIGkill"...), or -1. */
static int parse_signal(const char *s)
{
	char *end;
	long n;

	if (isdigit((unsigned char)*s)) {
		n = strtol(s, &end, 10);
		return *end || n >= NSIG ? -1 : number_signal(n);
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < NSIGS; i++)
		if (strcasecmp(sigs[i].name, s) == 0)
			return sigs[i].number;
	return -1;
}

/* kill -l: every name in number order, or each operand translated. */
static int list(char **args, int n)
{
	int status = 0, sig;

	if (!n)
		for (int number = 1; number < NSIG; number++)
			if (signal_name(number))
				puts(signal_name(number));
	for (int i = 0; i < n; i++) {
		long v = isdigit((unsigned char)*args[i]) ? strtol(args[i], 0, 10) : -1;

		sig = v < 0 ? parse_signal(args[i]) : number_signal(v > 128 ? v - 128 : v);
		if (sig < 0 || (v >= 0 && !signal_name(sig))) {
			fprintf(stderr, "kill: '%s': invalid signal\n", args[i]);
			status = 1;
		} else if (v >= 0) {
			puts(signal_name(sig));
		} else {
			printf("%d\n", sig);
		}
	}
	return status;
}

/* Sends @sig to the process (group) the operand @arg names. */
static int signal_pid(const char *arg, int sig)
{
	char *end;
	long pid = strtol(arg, &end, 10);

	if (!*arg || *end) {
		fprintf(stderr, "kill: '%s': invalid process ID\n", arg);
		return 1;
	}
	if (kill((pid_t)pid, sig)) {
		fprintf(stderr, "kill: %s: %s\n", arg, strerror(errno));
		return 1;
	}
	return 0;
}

/* The signal the options name (SIGTERM if none), or -1; sets *@first
 * to the first process ID operand. */
static int parse_options(int argc, char **argv, int *first)
{
	const char *spec = 0;
	int sig = SIGTERM, i = 1;

	if (argc == 2 && strcmp(argv[1], "-s") == 0)
		return usage_error("option requires an argument -- 's'"), -1;
	if (argc > 2 && strcmp(argv[1], "-s") == 0)
		spec = argv[2], i = 3;
	else if (argc > 1 && argv[1][0] == '-' && argv[1][1] && strcmp(argv[1], "--") != 0)
		spec = argv[1] + 1, i = 2;
	if (spec && (sig = parse_signal(spec)) < 0)
		fprintf(stderr, "kill: '%s': invalid signal\n", spec);
	*first = i < argc && strcmp(argv[i], "--") == 0 ? i + 1 : i;
	return sig;
}

int main(int argc, char **argv)
{
	int sig, i, status = 0;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "-l") == 0)
		return list(argv + 2, argc - 2);
	if ((sig = parse_options(argc, argv, &i)) < 0)
		return 1;
	if (i >= argc)
		return usage_error("no process ID specified");
	for (; i < argc; i++)
		status |= signal_pid(argv[i], sig);
	return status;
}
