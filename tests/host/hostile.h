/*
 * Hand-made device trees for test_platform: the table of named tests in
 * hostile.c, and the helpers from test_platform.c they share.
 */
#ifndef NUTHATCH_TESTS_HOSTILE_H
#define NUTHATCH_TESTS_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/platform.h"

struct tally {
	unsigned rejected, accepted, stricter;
};

struct hostile_test {
	const char *name;
	bool (*fn)(void);
};

extern const struct hostile_test hostile_tests[];
extern const size_t hostile_ntests;

/* Parse an exact-size copy; if accepted, libfdt and the oracle agree. */
bool check_blob(const uint8_t *blob, size_t len, struct tally *t,
		const char *what);
/* platform_print() output, one "\n"-terminated line each (static). */
const char *print_of(const struct platform *p);

#endif
