/*
 * What the boot hart learned on the way up, for the rest of the kernel
 * and the self-tests.  Written once by kmain before anything else runs;
 * read-only afterwards.
 */
#ifndef NUTHATCH_BOOT_H
#define NUTHATCH_BOOT_H

#include <stdint.h>

#include "lib/platform.h"

struct boot_info {
	uint64_t boot_hart;
	uint64_t dtb_pa;
	uint64_t image_pa;
	uint64_t image_size;
	uint64_t entry_ticks;		/* timer at the first instruction */
	uint64_t first_line_ticks;	/* timer after the first console line */
	int console_err;		/* console_use_uart() result */
	unsigned asid_bits_hw;		/* satp.ASID bits the boot hart has */
	unsigned asid_bits;		/* in use: nuthatch.asid=off or
					   nuthatch.asid_bits=N may lower it */
};

extern struct boot_info boot_info;
extern struct platform boot_platform;

#endif
