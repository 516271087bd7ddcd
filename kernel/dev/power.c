/*
 * power_off(): the test device when the DT has one, else SBI SRST.
 */
#include "dev/power.h"

#include <stdint.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/sbi.h"
#include "mm/kmap.h"

#include <nuthatch/errno.h>

#define TEST_PASS	0x5555
#define TEST_FAIL	0x3333

static volatile uint32_t *test_dev;	/* written once at boot */

void power_init(const struct platform *p)
{
	if (p->has_test)
		test_dev = ioremap(p->test_base, 0x1000);
}

void power_off(enum power_verdict verdict)
{
	long reason = verdict == POWER_PASS ? 0 : 1;

	if (test_dev) {
		*test_dev = verdict == POWER_PASS ? TEST_PASS :
			    TEST_FAIL | ((uint32_t)verdict << 16);
	}
	if (sbi_info()->srst) {
		sbi_system_reset(0, reason);	/* shutdown */
		sbi_system_reset(1, reason);	/* cold reboot */
	}
	arch_halt();
}

int power_request_off(void)
{
	if (test_dev)
		*test_dev = TEST_PASS;
	if (sbi_info()->srst)
		sbi_system_reset(0, 0);
	return -NH_ENOTSUP;	/* (SRST shutdown returned: QEMU sifive_u) */
}

int power_request_reboot(void)
{
	if (sbi_info()->srst)
		sbi_system_reset(1, 0);
	return -NH_ENOTSUP;
}
