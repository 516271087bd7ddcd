/*
 * The Supervisor Binary Interface to the M-mode firmware (OpenSBI): base
 * probing, the legacy and DBCN consoles, and system reset.  sbi_init()
 * probes once on the boot hart; the results are immutable afterwards.
 */
#ifndef NUTHATCH_SBI_H
#define NUTHATCH_SBI_H

#include <stdbool.h>
#include <stdint.h>

#define SBI_EXT_BASE	0x10
#define SBI_EXT_TIME	0x54494d45
#define SBI_EXT_IPI	0x735049
#define SBI_EXT_RFENCE	0x52464e43
#define SBI_EXT_HSM	0x48534d
#define SBI_EXT_SRST	0x53525354
#define SBI_EXT_DBCN	0x4442434e

struct sbi_ret {
	long error;	/* 0, or a negative SBI error */
	long value;
};

struct sbi_info {
	uint32_t spec_major, spec_minor;
	long impl_id, impl_version;
	bool time, ipi, rfence, hsm, srst, dbcn;
};

struct sbi_ret sbi_call(long ext, long fid, long a0, long a1, long a2);
struct sbi_ret sbi_call4(long ext, long fid, long a0, long a1, long a2, long a3);

/* Probe the firmware; fills the immutable sbi_info. */
void sbi_init(void);
const struct sbi_info *sbi_info(void);
const char *sbi_impl_name(long impl_id);

/* Print one byte on the firmware console (DBCN if probed, else legacy). */
void sbi_console_putc(char c);

/* SRST: type 0 shutdown, 1 cold reboot; reason 0 none, 1 failure. */
struct sbi_ret sbi_system_reset(long type, long reason);

#endif
