/* Clocks, sleeps and sysconf: what POSIX and Linux promise. */
#include <time.h>
#include <unistd.h>

#include "posixtest.h"

static long long ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int main(void)
{
	struct timespec ts = { 0, 30000000 };
	long long m0 = ns(CLOCK_MONOTONIC), r0 = ns(CLOCK_REALTIME);

	SAY("nanosleep 30 ms", nanosleep(&ts, 0));
	printf("monotonic moved at least 30 ms %d\n", ns(CLOCK_MONOTONIC) - m0 >= 30000000);
	printf("realtime moved at least 30 ms %d\n", ns(CLOCK_REALTIME) - r0 >= 30000000);
	printf("realtime after 2020 %d\n", r0 / 1000000000ll > 1577836800ll);
	ts.tv_nsec = 1000000000;
	SAY("nanosleep with 1e9 ns", nanosleep(&ts, 0));
	ts = (struct timespec){ -1, 0 };
	SAY("nanosleep negative", nanosleep(&ts, 0));
	SAY("clock_gettime of a bad clock", clock_gettime((clockid_t)12345, &ts));
	printf("sleep(0) %u\n", sleep(0));
	printf("page size %ld, clock ticks %ld\n", sysconf(_SC_PAGESIZE), sysconf(_SC_CLK_TCK));
	printf("harts at least 1 %d\n", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	SAY("sysconf(-1)", sysconf(-1));
	return 0;
}
