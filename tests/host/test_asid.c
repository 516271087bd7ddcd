/*
 * Host tests of the ASID allocator (kernel/lib/asid.c): distinct ASIDs
 * within a generation, stable reuse, rollover when they run out (and only
 * then), stale tags re-allocated after a rollover, the no-ASID mode, a
 * forced small width, and a long random run against a model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/asid.h"

static int failed, num;

static void report(int ok, const char *name)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++num, name);
	failed += !ok;
}

static int distinct_then_rollover(unsigned bits)
{
	struct asid_alloc a;
	uint64_t max = (1ull << bits) - 1, tags[1 << 8] = { 0 };
	unsigned char seen[1 << 8] = { 0 };
	bool rolled;
	int ok = 1;

	asid_init(&a, bits);
	for (uint64_t i = 0; i < max; i++) {
		uint64_t id = asid_get(&a, &tags[i], &rolled);

		ok &= !rolled && id >= 1 && id <= max && !seen[id];
		seen[id] = 1;
		ok &= asid_get(&a, &tags[i], &rolled) == id && !rolled;	/* stable */
	}
	ok &= asid_current(&a, tags[0]);
	asid_get(&a, &tags[max], &rolled);	/* one more space: rollover */
	ok &= rolled && a.generation == 2;
	ok &= !asid_current(&a, tags[0]) && asid_current(&a, tags[max]);
	asid_get(&a, &tags[0], &rolled);	/* a stale tag gets a new ASID */
	ok &= !rolled && asid_current(&a, tags[0]) &&
	      asid_of(&a, tags[0]) != asid_of(&a, tags[max]);
	return ok;
}

static int no_asids(void)
{
	struct asid_alloc a;
	uint64_t tag = 0;
	bool rolled;
	int ok = 1;

	asid_init(&a, 0);
	for (int i = 0; i < 100; i++) {
		ok &= asid_get(&a, &tag, &rolled) == 0 && !rolled;
		ok &= !asid_current(&a, tag);	/* never trusted: always flush */
	}
	return ok;
}

static int clamps_width(void)
{
	struct asid_alloc a;

	asid_init(&a, 40);
	return a.bits == ASID_MAX_BITS && a.max == 0xffff;
}

/* Many spaces on a 2-bit allocator, checked against a model: at any time
 * no two current tags share an ASID. */
static int random_against_model(void)
{
	enum { SPACES = 10, ROUNDS = 100000 };
	struct asid_alloc a;
	uint64_t tags[SPACES] = { 0 };
	unsigned rollovers = 0;
	bool rolled;
	int ok = 1;

	srand(7);
	asid_init(&a, 2);
	for (int r = 0; r < ROUNDS && ok; r++) {
		int s = rand() % SPACES;
		uint64_t id = asid_get(&a, &tags[s], &rolled);

		rollovers += rolled;
		ok &= id >= 1 && id <= 3 && asid_current(&a, tags[s]);
		for (int o = 0; o < SPACES; o++) {
			if (o != s && asid_current(&a, tags[o]))
				ok &= asid_of(&a, tags[o]) != id;
		}
	}
	printf("# %u rollovers in %d switches among %d spaces, 3 ASIDs\n",
	       rollovers, ROUNDS, SPACES);
	return ok && rollovers > 1000;
}

int main(void)
{
	printf("KTAP version 1\n1..6\n");
	report(distinct_then_rollover(2), "two_bits_distinct_then_rollover");
	report(distinct_then_rollover(8), "eight_bits_distinct_then_rollover");
	report(no_asids(), "no_asid_bits_always_zero_never_current");
	report(clamps_width(), "width_clamped_to_sv39");
	report(random_against_model(), "random_switches_never_share_an_asid");
	{
		struct asid_alloc a;
		uint64_t t = 0;
		bool rolled;

		asid_init(&a, 16);
		asid_get(&a, &t, &rolled);
		report(asid_generation_of(&a, t) == 1 && asid_of(&a, t) == 1,
		       "first_tag_is_generation_one_asid_one");
	}
	printf("%d passed, %d failed\n", num - failed, failed);
	return failed != 0;
}
