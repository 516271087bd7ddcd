/*
 * uname: prints what uname(2) says of the system: the fields chosen by
 * -s (the system's name, the default), -n (the node's name), -r (the
 * release), -v (the version) and -m (the machine), always in that
 * order and separated by spaces; -a chooses all five.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void help(void)
{
	puts("Usage: uname [-asnrvm]\n"
	     "  -a  all of the below, in this order\n"
	     "  -s  the system's name (the default)\n"
	     "  -n  the node's (network) name\n"
	     "  -r  the release\n"
	     "  -v  the version\n"
	     "  -m  the machine's (hardware) name");
}

static int usage_error(const char *msg, int c)
{
	fprintf(stderr, "uname: %s -- '%c'\nTry 'uname --help' for more information.\n", msg, c);
	return 1;
}

/* The fields the options choose, a bit each in -snrvm order; -1 if
 * they are wrong. */
static int parse_options(int argc, char **argv)
{
	static const char letters[] = "snrvm";
	int chosen = 0, c;

	opterr = 0;
	while ((c = getopt(argc, argv, "asnrvm")) != -1) {
		if (c == '?')
			return usage_error("invalid option", optopt), -1;
		chosen |= c == 'a' ? 0x1f : 1 << (strchr(letters, c) - letters);
	}
	if (optind < argc) {
		fprintf(stderr, "uname: extra operand '%s'\n"
			"Try 'uname --help' for more information.\n", argv[optind]);
		return -1;
	}
	return chosen ? chosen : 1;
}

int main(int argc, char **argv)
{
	struct utsname u;
	int chosen, printed = 0;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	if ((chosen = parse_options(argc, argv)) < 0)
		return 1;
	if (uname(&u)) {
		fprintf(stderr, "uname: %s\n", strerror(errno));
		return 1;
	}
	const char *fields[] = { u.sysname, u.nodename, u.release, u.version, u.machine };
	for (int i = 0; i < 5; i++)
		if (chosen & 1 << i)
			printf("%s%s", printed++ ? " " : "", fields[i]);
	putchar('\n');
	return fflush(stdout) ? 1 : 0;
}
