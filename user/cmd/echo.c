/*
 * echo: writes its arguments to standard output, separated by single
 * spaces and followed by a newline.  Leading arguments made only of the
 * letters n, e and E are options, as in GNU echo: -n leaves the newline
 * off, -e turns on backslash escapes (\n \t \\ \a \b \e \f \r \v, \0NNN
 * and \NNN octal, \xHH hex, and \c, which ends the output there), -E turns them
 * off again.  --help is honoured only as the sole argument.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
	puts("Usage: echo [-neE] [STRING]...\n"
	     "  -n  do not output the trailing newline\n"
	     "  -e  interpret backslash escapes (\\n \\t \\\\ \\c ...)\n"
	     "  -E  do not interpret backslash escapes (the default)");
}

/* Is @arg an option word such as -n, -ne or -En? */
static int is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] && strspn(arg + 1, "neE") == strlen(arg + 1);
}

/* Writes the byte that up to @max digits in @base at @s make (0 if
 * there are none); returns how many digits it used. */
static int put_number(const char *s, int max, int base)
{
	char digits[4] = "";
	char *end;

	memcpy(digits, s, strnlen(s, max));
	digits[strspn(digits, base == 8 ? "01234567" : "0123456789abcdefABCDEF")] = 0;
	putchar((int)strtol(digits, &end, base));
	return (int)(end - digits);
}

/* Writes the escape at @s (after its backslash): a number's byte, or
 * one of @from's letters as @to's character; returns its last character. */
static const char *put_escape(const char *s)
{
	static const char from[] = "abefnrtv\\", to[] = "\a\b\033\f\n\r\t\v\\";
	const char *hit;

	if (*s == 'x' && isxdigit((unsigned char)s[1]))
		return s + put_number(s + 1, 2, 16);
	if (*s == '0')
		return s + put_number(s + 1, 3, 8);
	if (*s >= '1' && *s <= '7')
		return s + put_number(s, 3, 8) - 1;
	if ((hit = strchr(from, *s)))
		putchar(to[hit - from]);
	else
		printf("\\%c", *s);	/* not an escape: as written */
	return s;
}

/* Writes @s with its escapes decoded; 0 if a \c said to stop. */
static int put_escaped(const char *s)
{
	for (; *s; s++) {
		if (*s != '\\' || !s[1])
			putchar(*s);
		else if (*++s == 'c')
			return 0;
		else
			s = put_escape(s);
	}
	return 1;
}

/* Applies the leading option words; returns the first argument after. */
static int parse_options(int argc, char **argv, int *newline, int *escapes)
{
	int i = 1;

	for (; i < argc && is_option(argv[i]); i++) {
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'n')
				*newline = 0;
			else
				*escapes = *p == 'e';
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	int newline = 1, escapes = 0, first, i;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	first = parse_options(argc, argv, &newline, &escapes);
	for (i = first; i < argc; i++) {
		if (i > first)
			putchar(' ');
		if (!escapes)
			fputs(argv[i], stdout);
		else if (!put_escaped(argv[i]))
			return fflush(stdout) ? 1 : 0;	/* \c: nothing more */
	}
	if (newline)
		putchar('\n');
	return fflush(stdout) ? 1 : 0;
}
