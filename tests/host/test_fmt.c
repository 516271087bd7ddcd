/*
 * Host tests for fmt_snprintf(): every format in a table is printed by
 * the kernel's engine and by the C library's snprintf, and both the text
 * and the returned length must match, also into short buffers (size 0,
 * 1, 4).  Conversions the engine documents as its own (unknown ones print
 * verbatim) are checked against fixed strings.  Output is KTAP.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ktap.h"
#include "lib/fmt.h"

enum arg { A_NONE, A_INT, A_LONG, A_LLONG, A_UINT, A_ULONG, A_ULLONG,
	   A_STR, A_CHAR, A_PTR, A_SIZE, A_STAR_INT, A_STAR_STR };

struct fcase {
	const char *fmt;
	enum arg kind;
	long long i;
	unsigned long long u;
	const char *s;
	int star;
};

static const struct fcase cases[] = {
	{ "plain text", A_NONE, 0, 0, NULL, 0 },
	{ "100%%", A_NONE, 0, 0, NULL, 0 },
	{ "%d", A_INT, 0, 0, NULL, 0 },
	{ "%d", A_INT, -1, 0, NULL, 0 },
	{ "%d", A_INT, INT_MIN, 0, NULL, 0 },
	{ "%d", A_INT, INT_MAX, 0, NULL, 0 },
	{ "%i", A_INT, 42, 0, NULL, 0 },
	{ "[%5d]", A_INT, 42, 0, NULL, 0 },
	{ "[%-5d]", A_INT, 42, 0, NULL, 0 },
	{ "[%05d]", A_INT, -42, 0, NULL, 0 },
	{ "%+d", A_INT, 7, 0, NULL, 0 },
	{ "% d", A_INT, 7, 0, NULL, 0 },
	{ "%+d", A_INT, -7, 0, NULL, 0 },
	{ "%.3d", A_INT, 5, 0, NULL, 0 },
	{ "%8.3d", A_INT, -5, 0, NULL, 0 },
	{ "%-8.3d|", A_INT, 5, 0, NULL, 0 },
	{ "%.0d", A_INT, 0, 0, NULL, 0 },
	{ "%08.3d", A_INT, 5, 0, NULL, 0 },
	{ "%ld", A_LONG, LONG_MIN, 0, NULL, 0 },
	{ "%ld", A_LONG, LONG_MAX, 0, NULL, 0 },
	{ "%lld", A_LLONG, LLONG_MIN, 0, NULL, 0 },
	{ "%hd", A_INT, 70000, 0, NULL, 0 },
	{ "%hhd", A_INT, 200, 0, NULL, 0 },
	{ "%u", A_UINT, 0, UINT_MAX, NULL, 0 },
	{ "%x", A_UINT, 0, 0xdeadbeef, NULL, 0 },
	{ "%X", A_UINT, 0, 0xdeadbeef, NULL, 0 },
	{ "%#x", A_UINT, 0, 0x1f, NULL, 0 },
	{ "%#X", A_UINT, 0, 0x1f, NULL, 0 },
	{ "%#x", A_UINT, 0, 0, NULL, 0 },
	{ "%#010x", A_UINT, 0, 0xab, NULL, 0 },
	{ "%o", A_UINT, 0, 8, NULL, 0 },
	{ "%#o", A_UINT, 0, 8, NULL, 0 },
	{ "%#o", A_UINT, 0, 0, NULL, 0 },
	{ "%lx", A_ULONG, 0, ULONG_MAX, NULL, 0 },
	{ "memory: 0x%lx-", A_ULONG, 0, 0x140000000ul, NULL, 0 },
	{ "%#.0o", A_UINT, 0, 0, NULL, 0 },
	{ "%.0x", A_UINT, 0, 0, NULL, 0 },
	{ "%#5o", A_UINT, 0, 9, NULL, 0 },
	{ "%llx", A_ULLONG, 0, 0x123456789abcdefull, NULL, 0 },
	{ "%llu", A_ULLONG, 0, ULLONG_MAX, NULL, 0 },
	{ "%lu MiB", A_ULONG, 0, 4096, NULL, 0 },
	{ "%hx", A_UINT, 0, 0x12345, NULL, 0 },
	{ "%hhx", A_UINT, 0, 0x1ff, NULL, 0 },
	{ "%zu", A_SIZE, 0, 123456789, NULL, 0 },
	{ "%zx", A_SIZE, 0, SIZE_MAX, NULL, 0 },
	{ "%s", A_STR, 0, 0, "hello", 0 },
	{ "%s", A_STR, 0, 0, "", 0 },
	{ "[%10s]", A_STR, 0, 0, "right", 0 },
	{ "[%-10s]", A_STR, 0, 0, "left", 0 },
	{ "[%.3s]", A_STR, 0, 0, "truncate", 0 },
	{ "[%8.3s]", A_STR, 0, 0, "truncate", 0 },
	{ "console: %s @", A_STR, 0, 0, "snps,dw-apb-uart", 0 },
	{ "%c", A_CHAR, 'x', 0, NULL, 0 },
	{ "[%3c]", A_CHAR, 'y', 0, NULL, 0 },
	{ "[%-3c]", A_CHAR, 'z', 0, NULL, 0 },
	{ "%p", A_PTR, 0, 0x1000, NULL, 0 },
	{ "[%*d]", A_STAR_INT, 42, 0, NULL, 6 },
	{ "[%*d]", A_STAR_INT, 42, 0, NULL, -6 },
	{ "[%.*s]", A_STAR_STR, 0, 0, "abcdef", 2 },
	{ "[%.*s]", A_STAR_STR, 0, 0, "abcdef", -1 },
};

static int run_fmt(char *buf, size_t size, const struct fcase *c, bool host)
{
#define CALL(...) (host ? snprintf(buf, size, c->fmt, __VA_ARGS__) : \
			  fmt_snprintf(buf, size, c->fmt, __VA_ARGS__))
	switch (c->kind) {
	case A_NONE: return host ? snprintf(buf, size, c->fmt, 0) :
				   fmt_snprintf(buf, size, c->fmt, 0);
	case A_INT: return CALL((int)c->i);
	case A_LONG: return CALL((long)c->i);
	case A_LLONG: return CALL((long long)c->i);
	case A_UINT: return CALL((unsigned)c->u);
	case A_ULONG: return CALL((unsigned long)c->u);
	case A_ULLONG: return CALL((unsigned long long)c->u);
	case A_STR: return CALL(c->s);
	case A_CHAR: return CALL((int)c->i);
	case A_PTR: return CALL((void *)(uintptr_t)c->u);
	case A_SIZE: return CALL((size_t)c->u);
	case A_STAR_INT: return CALL(c->star, (int)c->i);
	case A_STAR_STR: return CALL(c->star, c->s);
	}
#undef CALL
	return -1;
}

/* Compare engine and libc for @c at several buffer sizes. */
static bool check_case(const struct fcase *c)
{
	static const size_t sizes[] = { 256, 0, 1, 4 };
	bool ok = true;

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char a[256], b[256];
		int na, nb;

		memset(a, 'Q', sizeof(a));
		memset(b, 'Q', sizeof(b));
		na = run_fmt(a, sizes[k], c, false);
		nb = run_fmt(b, sizes[k], c, true);
		if (na != nb || memcmp(a, b, sizeof(a)) != 0) {
			ktap_diag("format \"%s\" size %zu: got %d \"%.*s\", "
				  "libc %d \"%.*s\"", c->fmt, sizes[k], na,
				  (int)(sizes[k] ? sizes[k] : 1), a, nb,
				  (int)(sizes[k] ? sizes[k] : 1), b);
			ok = false;
		}
	}
	return ok;
}

static bool test_against_libc(void)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok &= check_case(&cases[i]);
	ktap_diag("%zu formats x 4 buffer sizes", sizeof(cases) / sizeof(cases[0]));
	return ok;
}

static bool expect(const char *got, int n, const char *want)
{
	if (strcmp(got, want) == 0 && n == (int)strlen(want))
		return true;
	ktap_diag("got \"%s\" (%d), want \"%s\"", got, n, want);
	return false;
}

/* What the engine does where libc's behaviour is not the reference. */
static bool test_own_rules(void)
{
	char buf[64];
	const char *unknown = "%q";
	const char *trailing = "ab%";
	bool ok = true;
	int n;

	n = fmt_snprintf(buf, sizeof(buf), unknown, 0);
	ok &= expect(buf, n, "%q");
	n = fmt_snprintf(buf, sizeof(buf), trailing, 0);
	ok &= expect(buf, n, "ab%");
	n = fmt_snprintf(buf, sizeof(buf), "%s", (const char *)NULL);
	ok &= expect(buf, n, "(null)");
	return ok;
}

static bool test_truncation_terminates(void)
{
	char buf[8];
	int n = fmt_snprintf(buf, sizeof(buf), "%s", "0123456789abcdef");

	if (n != 16 || strcmp(buf, "0123456") != 0) {
		ktap_diag("got %d \"%s\"", n, buf);
		return false;
	}
	return true;
}

int main(void)
{
	ktap_begin(3);
	ktap_result(test_against_libc(), "fmt_matches_libc");
	ktap_result(test_own_rules(), "fmt_own_rules");
	ktap_result(test_truncation_terminates(), "fmt_truncation");
	return ktap_end();
}
