/*
 * The test-only system calls, for the in-tree test server and its helper
 * programs (refused with -NH_ENOSYS outside test builds).
 */
#ifndef NUTHATCH_NHTEST_H
#define NUTHATCH_NHTEST_H

#include <stddef.h>
#include <stdint.h>

#include <nuthatch/testabi.h>

long nh_test_ktest_count(void);
long nh_test_ktest_name(unsigned long index, char *buf, size_t len);
long nh_test_ktest_run(const char *name, size_t len);
long nh_test_counters(struct nh_counters *out);
long nh_test_spawn(const char *path, const char *const argv[], const char *const envp[]);
long nh_test_wait(long task_h, struct nh_exit *out);	/* the handle stays */
__attribute__((noreturn)) void nh_test_poweroff(int verdict);
long nh_test_thread(void (*entry)(long), void *sp, long arg);

#endif
