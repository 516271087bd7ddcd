/*
 * Symbol lookup over the generated table: binary search on sorted offsets
 * from _start.
 */
#include "lib/ksyms.h"

struct ksym {
	uint32_t offset;	/* from _start */
	uint32_t name;		/* into ksym_strings */
};

extern const uint32_t ksym_count;
extern const struct ksym ksym_table[];
extern const char ksym_strings[];
extern char _start[], _etext[];

unsigned ksyms_count(void)
{
	return ksym_count;
}

const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset)
{
	uintptr_t base = (uintptr_t)_start;
	uint32_t lo = 0, hi = ksym_count;

	if (addr < base || addr >= (uintptr_t)_etext || ksym_count == 0)
		return 0;
	while (hi - lo > 1) {	/* invariant: table[lo].offset <= addr - base */
		uint32_t mid = lo + (hi - lo) / 2;

		if (ksym_table[mid].offset <= addr - base)
			lo = mid;
		else
			hi = mid;
	}
	if (ksym_table[lo].offset > addr - base)
		return 0;
	*offset = addr - base - ksym_table[lo].offset;
	return ksym_strings + ksym_table[lo].name;
}
