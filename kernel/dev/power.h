/*
 * Power-off carrying the verdict.  On a platform with a "sifive,test0"
 * device QEMU exits with the verdict; elsewhere SBI SRST shutdown, and
 * where that fails (QEMU sifive_u) SRST cold reboot, which QEMU's
 * -no-reboot turns into an exit.  The console line is the verdict of
 * record either way.
 */
#ifndef NUTHATCH_POWER_H
#define NUTHATCH_POWER_H

#include "lib/platform.h"

/* Failure codes: fixed, in 1..255, never a count. */
enum power_verdict {
	POWER_PASS = 0,
	POWER_FAIL_TESTS = 1,	/* the self-tests reported failures */
	POWER_FAIL_PANIC = 2,	/* the kernel panicked */
	POWER_FAIL_BOOT = 3,	/* the platform could not be brought up */
};

/* Remember the platform's power-off device (maps it). */
void power_init(const struct platform *p);

__attribute__((noreturn)) void power_off(enum power_verdict verdict);

/* A user's power-off (the test device's pass, else SRST shutdown) or
 * reboot (SRST cold reboot): returns -NH_ENOTSUP only where the board has
 * no way to do it. */
int power_request_off(void);
int power_request_reboot(void);

#endif
