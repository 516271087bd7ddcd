/*
 * Arithmetic expansion, $((...)): C's integer operators on longs, by
 * precedence climbing over a table of binary levels, with unary + - ! ~,
 * parentheses, decimal, octal (0...) and hex (0x...) numbers, and
 * variable names (unset or empty: 0).  No assignment operators and no
 * ?: (the expression has no side effects).  The text has had its $ forms
 * expanded already.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct arith {
	const char *p;		/* the rest of the expression */
	const char *err;	/* the first error, or NULL */
};

/* The binary operators, lowest precedence first; in a level, an
 * operator that starts another comes first. */
static const char *const levels[][4] = {
	{ "||" }, { "&&" }, { "|" }, { "^" }, { "&" }, { "==", "!=" },
	{ "<=", ">=", "<", ">" }, { "<<", ">>" }, { "+", "-" }, { "*", "/", "%" },
};

#define NLEVELS	(sizeof(levels) / sizeof(levels[0]))

static void skip_blanks(struct arith *a)
{
	while (isspace((unsigned char)*a->p))
		a->p++;
}

static long fail(struct arith *a, const char *why)
{
	if (!a->err)
		a->err = why;
	return 0;
}

/* Does @op start a->p, and not as the start of a longer operator ("|"
 * of "||", "<" of "<<" or "<=")? */
static int is_op(const struct arith *a, const char *op)
{
	size_t n = strlen(op);
	char next = a->p[n];

	if (strncmp(a->p, op, n) != 0)
		return 0;
	if (n == 2)
		return 1;
	switch (op[0]) {
	case '|':
	case '&':
		return next != op[0];
	case '<':
	case '>':
		return next != op[0] && next != '=';
	default:
		return 1;
	}
}

/* The operator of @level at a->p, consumed; NULL if none. */
static const char *take_op(struct arith *a, size_t level)
{
	skip_blanks(a);
	for (int i = 0; i < 4 && levels[level][i]; i++) {
		if (is_op(a, levels[level][i])) {
			a->p += strlen(levels[level][i]);
			return levels[level][i];
		}
	}
	return NULL;
}

static long apply(struct arith *a, const char *op, long l, long r)
{
	if ((op[0] == '/' || op[0] == '%') && r == 0)
		return fail(a, "division by zero");
	switch (op[0] << 8 | op[1]) {
	case '|' << 8 | '|': return l || r;
	case '&' << 8 | '&': return l && r;
	case '=' << 8 | '=': return l == r;
	case '!' << 8 | '=': return l != r;
	case '<' << 8 | '=': return l <= r;
	case '>' << 8 | '=': return l >= r;
	case '<' << 8 | '<': return (long)((unsigned long)l << (r & 63));
	case '>' << 8 | '>': return l >> (r & 63);
	case '|' << 8: return l | r;
	case '^' << 8: return l ^ r;
	case '&' << 8: return l & r;
	case '<' << 8: return l < r;
	case '>' << 8: return l > r;
	case '+' << 8: return (long)((unsigned long)l + (unsigned long)r);
	case '-' << 8: return (long)((unsigned long)l - (unsigned long)r);
	case '*' << 8: return (long)((unsigned long)l * (unsigned long)r);
	case '/' << 8: return r == -1 ? (long)(0 - (unsigned long)l) : l / r;
	default: return r == -1 ? 0 : l % r;
	}
}

/* A number as C writes it, all of @s; 0 (with an error) if it is not one. */
static long number(struct arith *a, const char *s, size_t n)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (n == 0)
		return fail(a, "a number or name expected");
	if (end != s + n)
		return fail(a, "bad number");
	return v;
}

/* A variable's value as a number. */
static long variable(struct arith *a, size_t len)
{
	char *name = buf_strndup(a->p, len);
	const char *v = var_get(name);
	long r = 0;

	free(name);
	a->p += len;
	if (v && *v)
		r = number(a, v, strlen(v));
	return r;
}

static long binary(struct arith *a, size_t level);

static long primary(struct arith *a)
{
	size_t n;

	skip_blanks(a);
	if (*a->p == '(') {
		long v;

		a->p++;
		v = binary(a, 0);
		skip_blanks(a);
		if (*a->p != ')')
			return fail(a, "')' expected");
		a->p++;
		return v;
	}
	if ((n = lex_name_len(a->p)) > 0)
		return variable(a, n);
	n = strspn(a->p, "0123456789abcdefABCDEFxX");
	a->p += n;
	return number(a, a->p - n, n);
}

static long unary(struct arith *a)
{
	char c;

	skip_blanks(a);
	c = *a->p;
	if ((c == '+' || c == '-' || c == '~' || c == '!') && a->p[1] != '=') {
		long v;

		a->p++;
		v = unary(a);
		return c == '+' ? v : c == '-' ? (long)(0 - (unsigned long)v) : c == '~' ? ~v : !v;
	}
	return primary(a);
}

static long binary(struct arith *a, size_t level)
{
	const char *op;
	long v;

	if (level == NLEVELS)
		return unary(a);
	v = binary(a, level + 1);
	while (!a->err && (op = take_op(a, level)) != NULL)
		v = apply(a, op, v, binary(a, level + 1));
	return v;
}

int arith_eval(const char *expr, long *out)
{
	struct arith a = { expr, NULL };

	*out = binary(&a, 0);
	skip_blanks(&a);
	if (!a.err && *a.p)
		a.err = "syntax error";
	if (a.err) {
		main_error("arithmetic: %s: %s", expr, a.err);
		return -1;
	}
	return 0;
}
