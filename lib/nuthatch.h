/*
 * Nuthatch's system calls for user programs: one stub per call, generated
 * from kernel/uapi/nuthatch/syscalls.tbl (build/gen/usys.S).  They return
 * a value or a negative NH_E* code; the POSIX layer in lib/ turns that
 * into errno.
 */
#ifndef NUTHATCH_USER_H
#define NUTHATCH_USER_H

#include <stddef.h>
#include <stdint.h>

#include <nuthatch/handle.h>
#include <nuthatch/sysno.h>

long nh_null(void);
__attribute__((noreturn)) void nh_exit(int status);
long nh_yield(void);
long nh_clock_ns(void);
long nh_debug_write(const void *buf, size_t len);
long nh_sleep_ns(uint64_t ns);
long nh_brk(uintptr_t end);

/* Handles (nuthatch/handle.h): numbers private to the calling task. */
long nh_handle_close(long h);
long nh_handle_dup(long h, uint32_t rights);
long nh_handle_install(long task_h, long h, uint32_t rights);
long nh_handle_info(long h, struct nh_handle_info *out);

#endif
