/*
 * The POSIX layer's clocks, sleeps, CPU times and system figures
 * (lib/posix/time.c, system.c; the process server's times and
 * clock_offset; the kernel's sys_info), each with what bad input gets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhtest.h"
#include "nuthatch.h"
#include "parts.h"

#define MS	1000000ll

static long long ns_of(clockid_t id)
{
	struct timespec ts = { -1, -1 };

	if (clock_gettime(id, &ts))
		return -1;
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static volatile unsigned long sink;

static void spin_ms(long ms)
{
	long long end = ns_of(CLOCK_MONOTONIC) + ms * MS;

	while (ns_of(CLOCK_MONOTONIC) < end)
		sink++;
}

int posix_clocks_and_sleeps(void)
{
	struct timespec ts, rem = { 7, 7 };
	long long m0 = ns_of(CLOCK_MONOTONIC), r0 = ns_of(CLOCK_REALTIME);
	long long p0 = ns_of(CLOCK_PROCESS_CPUTIME_ID), t0 = ns_of(CLOCK_THREAD_CPUTIME_ID);
	int ok = 1;
	time_t now;

	struct nh_device rtc;
	long h = nh_device_open("google,goldfish-rtc", &rtc);

	if (h > 0) {		/* QEMU virt: the wall clock is the RTC's, after 2020 */
		nh_handle_close(h);
		EXPECT(m0 > 0 && r0 > 1577836800ll * 1000000000ll);
	} else {		/* no RTC (sifive_u): it starts at the epoch at boot */
		printf("# no RTC: the wall clock counts from the epoch at boot\n");
		EXPECT(h == -NH_ENODEV && r0 >= m0 && r0 - m0 < 1000 * MS);
	}
	ts = (struct timespec){ 0, 20 * MS };
	EXPECT(nanosleep(&ts, &rem) == 0);
	EXPECT(ns_of(CLOCK_MONOTONIC) - m0 >= 20 * MS);
	EXPECT(ns_of(CLOCK_REALTIME) - r0 >= 20 * MS);
	spin_ms(30);
	EXPECT(ns_of(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 10 * MS);
	EXPECT(ns_of(CLOCK_THREAD_CPUTIME_ID) - t0 >= 10 * MS);
	now = time(0);
	EXPECT(now >= r0 / 1000000000ll && now <= r0 / 1000000000ll + 60);
	EXPECT(clock_getres(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec == 0 && ts.tv_nsec > 0);
	errno = 0;
	EXPECT(clock_gettime((clockid_t)99, &ts) == -1 && errno == EINVAL);
	EXPECT(clock_getres((clockid_t)-3, &ts) == -1 && errno == EINVAL);
	ts = (struct timespec){ 0, 1000000000 };
	EXPECT(nanosleep(&ts, 0) == -1 && errno == EINVAL);
	ts = (struct timespec){ -1, 0 };
	EXPECT(nanosleep(&ts, 0) == -1 && errno == EINVAL);
	ts = (struct timespec){ 0, -1 };
	EXPECT(nanosleep(&ts, 0) == -1 && errno == EINVAL);
	EXPECT(sleep(0) == 0 && usleep(1000) == 0);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

static int busy_child(long ms)
{
	spin_ms(ms);
	return 0;
}

int posix_times_and_rusage_count_children(void)
{
	struct proc_table before = proc_table_now();
	struct tms t0, t1;
	struct rusage ru;
	int ok = 1, status;
	clock_t c0 = times(&t0), c1;
	pid_t pid = proc_spawn_child(busy_child, 60);

	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && proc_exited_with(status, 0));
	c1 = times(&t1);
	EXPECT(c1 >= c0 + 5);			/* 100 ticks a second */
	EXPECT((t1.tms_cutime + t1.tms_cstime) - (t0.tms_cutime + t0.tms_cstime) >= 3);
	EXPECT(getrusage(RUSAGE_CHILDREN, &ru) == 0 &&
	       ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec >= 30000);
	EXPECT(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_utime.tv_usec < 1000000);
	errno = 0;
	EXPECT(getrusage(5, &ru) == -1 && errno == EINVAL);
	EXPECT(proc_table_back(&before));
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}

int posix_sysconf_and_uname(void)
{
	struct utsname u;
	int ok = 1;

	EXPECT(sysconf(_SC_PAGESIZE) == 4096 && sysconf(_SC_PAGE_SIZE) == 4096);
	EXPECT(sysconf(_SC_CLK_TCK) == 100);
	EXPECT(sysconf(_SC_NPROCESSORS_ONLN) >= 1 &&
	       sysconf(_SC_NPROCESSORS_ONLN) == get_nprocs() &&
	       sysconf(_SC_NPROCESSORS_CONF) >= sysconf(_SC_NPROCESSORS_ONLN));
	EXPECT(sysconf(_SC_PHYS_PAGES) > sysconf(_SC_AVPHYS_PAGES) &&
	       sysconf(_SC_AVPHYS_PAGES) > 0);
	EXPECT(sysconf(_SC_ARG_MAX) >= 4096 && sysconf(_SC_OPEN_MAX) > 0);
	errno = 0;
	EXPECT(sysconf(-1) == -1 && errno == EINVAL);
	EXPECT(sysconf(12345) == -1 && errno == EINVAL);
	EXPECT(nh_sys_info((struct nh_sys_info *)8) == -NH_EFAULT);	/* a wild pointer */
	EXPECT(uname(&u) == 0 && !strcmp(u.sysname, "Nuthatch") && !strcmp(u.machine, "riscv64"));
	printf("# %d harts, %ld pages, %s %s %s\n", get_nprocs(), sysconf(_SC_PHYS_PAGES),
	       u.sysname, u.release, u.machine);
	return ok ? NH_TEST_PASS : NH_TEST_FAIL;
}
