/*
 * Clocks, sleeps and CPU times over the kernel and the process server:
 * CLOCK_MONOTONIC (and its raw, coarse and boot-time names) is the
 * kernel's clock; CLOCK_REALTIME adds the offset the process server
 * read from the RTC at boot (asked once, then kept); the CPU-time clocks
 * are the thread's (task_info) and the process's (the server's times).
 * nanosleep, sleep and usleep sleep in the kernel; times and getrusage
 * come from the server.  picolibc's time() uses gettimeofday, here.
 */
#include <errno.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include <nuthatch/errno.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "posix.h"
#include "proto/proc.h"

#define NS	1000000000ull
#define TICKS	100		/* sysconf(_SC_CLK_TCK), as Linux's USER_HZ */

static void to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
}

/* CLOCK_REALTIME minus the monotonic clock, asked of the server once. */
static long wall_offset(int64_t *off)
{
	static int64_t cached;
	static volatile int known;
	long r = 0;

	if (!known) {
		r = proc_clock_offset(NH_PROC_HANDLE, &cached);
		known = r == 0;
	}
	*off = cached;
	return r;
}

static long process_cpu_ns(uint64_t *ns)
{
	uint64_t ut, st, cut, cst;
	long r = proc_times(NH_PROC_HANDLE, &ut, &st, &cut, &cst);

	*ns = ut + st;
	return r;
}

static long thread_cpu_ns(uint64_t *ns)
{
	struct nh_task_info info;
	long r = nh_task_info(NH_SELF_TASK, &info);

	*ns = info.utime_ns + info.stime_ns;
	return r;
}

/* The clock's reading in ns since its epoch, or -NH_EINVAL. */
static long clock_read(clockid_t id, uint64_t *ns)
{
	int64_t off;
	long r;

	switch (id) {
	case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = (uint64_t)nh_clock_ns();
		return 0;
	case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE:
		r = wall_offset(&off);
		*ns = (uint64_t)nh_clock_ns() + (uint64_t)off;
		return r;
	case CLOCK_PROCESS_CPUTIME_ID:
		return process_cpu_ns(ns);
	case CLOCK_THREAD_CPUTIME_ID:
		return thread_cpu_ns(ns);
	default:
		return -NH_EINVAL;
	}
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	uint64_t ns = 0;
	long r = clock_read(id, &ns);

	if (r)
		return (int)__nh_fail(r);
	to_timespec(ns, ts);
	return 0;
}

int clock_getres(clockid_t id, struct timespec *res)
{
	uint64_t ns;
	long r = clock_read(id, &ns);

	if (r)
		return (int)__nh_fail(r);
	if (res)
		*res = (struct timespec){ .tv_sec = 0, .tv_nsec = 1 };
	return 0;
}

int gettimeofday(struct timeval *__restrict tv, void *__restrict tz)
{
	struct timespec ts = { 0 };

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts))
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

/* ---- sleeps --------------------------------------------------------------- */

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	uint64_t want, start;
	long r;

	if (req->tv_nsec < 0 || req->tv_nsec >= (long)NS || req->tv_sec < 0)
		return (int)__nh_fail(-NH_EINVAL);
	want = (uint64_t)req->tv_sec * NS + (uint64_t)req->tv_nsec;
	start = (uint64_t)nh_clock_ns();
	r = want ? nh_sleep_ns(want) : 0;
	if (r == -NH_EINTR && rem) {
		uint64_t slept = (uint64_t)nh_clock_ns() - start;

		to_timespec(slept < want ? want - slept : 0, rem);
	}
	return r ? (int)__nh_fail(r) : 0;
}

unsigned sleep(unsigned seconds)
{
	struct timespec req = { .tv_sec = seconds }, rem = { 0 };

	if (nanosleep(&req, &rem) == 0)
		return 0;
	return (unsigned)rem.tv_sec + (rem.tv_nsec > 0);
}

int usleep(useconds_t us)
{
	struct timespec req = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	return nanosleep(&req, 0);
}

/* ---- CPU times --------------------------------------------------------------- */

static clock_t ticks(uint64_t ns)
{
	return (clock_t)(ns / (NS / TICKS));
}

clock_t times(struct tms *t)
{
	uint64_t ut, st, cut, cst;
	long r = proc_times(NH_PROC_HANDLE, &ut, &st, &cut, &cst);

	if (r)
		return (clock_t)__nh_fail(r);
	*t = (struct tms){ .tms_utime = ticks(ut), .tms_stime = ticks(st),
			   .tms_cutime = ticks(cut), .tms_cstime = ticks(cst) };
	return ticks((uint64_t)nh_clock_ns());	/* since boot, as Linux's */
}

static void to_timeval(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / NS);
	tv->tv_usec = (suseconds_t)(ns % NS / 1000);
}

int getrusage(int who, struct rusage *ru)
{
	uint64_t ut, st, cut, cst;
	long r;

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN)
		return (int)__nh_fail(-NH_EINVAL);
	r = proc_times(NH_PROC_HANDLE, &ut, &st, &cut, &cst);
	if (r)
		return (int)__nh_fail(r);
	*ru = (struct rusage){ 0 };
	to_timeval(who == RUSAGE_SELF ? ut : cut, &ru->ru_utime);
	to_timeval(who == RUSAGE_SELF ? st : cst, &ru->ru_stime);
	return 0;
}
