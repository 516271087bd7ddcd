/*
 * libFuzzer target for the ELF64 executable checker: any bytes go through
 * elf_check() with fixed limits (Sv39 user half, 256 MiB, up to the
 * double-float ABI).  When a file is accepted, every segment's file bytes
 * are read as a loader would copy them, so ASan catches a plan that points
 * outside the input, and the plan's basic invariants are asserted.  Built
 * with -fsanitize=fuzzer,address,undefined; the seed corpus comes from
 * test_elf --corpus (see host.mk, target "fuzz").
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct elf_limits lim = {
	.user_lo = 0x10000, .user_hi = 0x4000000000ull,
	.max_memsz = 256ull << 20, .max_float_abi = ELF_FLOAT_DOUBLE,
};

static volatile uint8_t sink;

static void check_segment(const struct elf_segment *s, const uint8_t *data)
{

	if (s->memsz == 0 || s->filesz > s->memsz ||
	    (s->prot & (ELF_W | ELF_X)) == (ELF_W | ELF_X) ||
	    s->vaddr < lim.user_lo || s->vaddr + s->memsz > lim.user_hi ||
	    s->vaddr % ELF_PAGE != s->offset % ELF_PAGE)
		__builtin_trap();
	for (uint64_t i = 0; i < s->filesz; i++)
		sink += data[s->offset + i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image im;

	if (elf_check(data, size, &lim, &im) != 0)
		return 0;
	for (unsigned i = 0; i < im.nseg; i++) {
		check_segment(&im.seg[i], data);
		if (i > 0 && im.seg[i].vaddr / ELF_PAGE <=
			     (im.seg[i - 1].vaddr + im.seg[i - 1].memsz - 1) /
			     ELF_PAGE)
			__builtin_trap();
	}
	return 0;
}
