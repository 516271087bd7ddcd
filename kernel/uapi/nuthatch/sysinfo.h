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

#endif
