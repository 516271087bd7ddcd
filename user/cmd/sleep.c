/*
 * sleep: waits for the sum of its operands, each a number of seconds
 * that may have a fraction ("0.5") and a unit suffix as in GNU sleep
 * (s seconds, m minutes, h hours, d days), then exits 0.  The waiting
 * is nanosleep(2), resumed if a signal interrupts it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LONGEST	1e9	/* seconds one nanosleep waits at most (some 31 years) */

static void help(void)
{
	puts("Usage: sleep NUMBER[SUFFIX]...\n"
	     "Wait for the sum of the NUMBERs of seconds (fractions allowed).\n"
	     "  SUFFIX  s seconds (the default), m minutes, h hours, d days");
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, arg ? "sleep: %s '%s'\n" : "sleep: %s\n", msg, arg);
	fputs("Try 'sleep --help' for more information.\n", stderr);
	return 1;
}

/* The seconds @s says ("1.5", "2m"...), or -1 if it is not a time. */
static double parse_interval(const char *s)
{
	static const char units[] = "smhd";
	static const double scale[] = { 1, 60, 60 * 60, 24 * 60 * 60 };
	const char *unit;
	char *end;
	double v = strtod(s, &end);

	if (end == s || isnan(v) || v < 0)
		return -1;
	if (!*end)
		return v;
	if (end[1] || !(unit = strchr(units, *end)))
		return -1;
	return v * scale[unit - units];
}

/* Waits @secs seconds (forever if infinite); 0, or -1 with errno. */
static int wait_for(double secs)
{
	while (secs > 0) {
		double part = secs > LONGEST ? LONGEST : secs;
		struct timespec ts = { (time_t)part, (long)((part - (double)(time_t)part) * 1e9) };

		secs -= part;
		while (nanosleep(&ts, &ts))
			if (errno != EINTR)
				return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	double total = 0, secs;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	opterr = 0;
	if (getopt(argc, argv, "") != -1)
		return usage_error("invalid option --", (char[]){ (char)optopt, 0 });
	if (optind == argc)
		return usage_error("missing operand", NULL);
	for (int i = optind; i < argc; i++) {
		if ((secs = parse_interval(argv[i])) < 0)
			return usage_error("invalid time interval", argv[i]);
		total += secs;
	}
	if (wait_for(total)) {
		fprintf(stderr, "sleep: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
