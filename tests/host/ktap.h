/*
 * A minimal KTAP version 1 reporter for the host test binaries.
 *
 * ktap_begin(n) prints the version line and the plan; each test calls
 * ktap_result(ok, name) once, after any "# " diagnostics from ktap_diag();
 * ktap_end() prints the closing "N passed, N failed" line and returns the
 * process exit status (0 only if every test passed and the plan was met).
 */
#ifndef NUTHATCH_TESTS_KTAP_H
#define NUTHATCH_TESTS_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static struct {
	int planned, run, passed, failed;
} ktap;

static inline void ktap_begin(int planned)
{
	ktap.planned = planned;
	printf("KTAP version 1\n1..%d\n", planned);
	fflush(stdout);
}

static inline void __attribute__((format(printf, 1, 2)))
ktap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static inline bool ktap_result(bool ok, const char *name)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++ktap.run, name);
	fflush(stdout);
	if (ok)
		ktap.passed++;
	else
		ktap.failed++;
	return ok;
}

static inline int ktap_end(void)
{
	if (ktap.run != ktap.planned) {
		ktap_diag("planned %d tests, ran %d", ktap.planned, ktap.run);
		ktap.failed += ktap.run < ktap.planned ?
			       ktap.planned - ktap.run : 0;
	}
	printf("%d passed, %d failed\n", ktap.passed, ktap.failed);
	return ktap.failed || ktap.run != ktap.planned ? 1 : 0;
}

#endif
