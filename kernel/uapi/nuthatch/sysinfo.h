/*
 * What the whole system is (sys_info): harts, memory, uptime.  Shared
 * by the kernel and lib/ (sysconf, get_nprocs, sysinfo-like figures).
 */
#ifndef NUTHATCH_UAPI_SYSINFO_H
#define NUTHATCH_UAPI_SYSINFO_H

#include <stdint.h>

struct nh_sys_info {
	uint32_t harts_online;	/* running the scheduler */
	uint32_t harts_possible;	/* in the device tree (at most NH_MAX_HARTS) */
	uint64_t pages_total;	/* usable frames of 4 KiB */
	uint64_t pages_free;
	uint64_t uptime_ns;	/* the monotonic clock */
};

/* power(how), NH_PRIV_SYSTEM: the console's log written out first. */
#define NH_POWER_OFF	0	/* -NH_ENOTSUP where the board cannot (QEMU sifive_u) */
#define NH_POWER_REBOOT	1	/* SBI SRST cold reboot; -NH_ENOTSUP without SRST */
#define NH_POWER_HALT	2	/* this hart stops for good (never returns) */

/* One kernel thread, as kthread_list reports it (for ps): at most
 * NH_KTHREADS_MAX a call. */
#define NH_KTHREADS_MAX	16
struct nh_kthread {
	uint64_t id;		/* its task id */
	uint64_t time_ns;	/* CPU time */
	char name[16];
	char state;		/* R running or ready, S, D, T, Z, as ps shows */
	char pad[7];
};

#endif
