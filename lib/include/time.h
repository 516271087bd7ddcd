/*
 * <time.h> for Nuthatch: picolibc's, with the POSIX options that make it
 * declare clock_gettime, nanosleep and the monotonic and CPU-time
 * clocks (sys/_nh_options.h; picolibc's numbering, which
 * lib/posix/time.c serves), and the Linux clock names it may lack.
 */
#ifndef _NH_TIME_H
#define _NH_TIME_H

#include <sys/_nh_options.h>
#include_next <time.h>

#ifndef CLOCK_REALTIME_COARSE
#define CLOCK_REALTIME_COARSE		((clockid_t) 0)
#endif
#ifndef CLOCK_PROCESS_CPUTIME_ID
#define CLOCK_PROCESS_CPUTIME_ID	((clockid_t) 2)
#endif
#ifndef CLOCK_THREAD_CPUTIME_ID
#define CLOCK_THREAD_CPUTIME_ID		((clockid_t) 3)
#endif
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC			((clockid_t) 4)
#endif
#ifndef CLOCK_MONOTONIC_RAW
#define CLOCK_MONOTONIC_RAW		((clockid_t) 5)
#endif
#ifndef CLOCK_MONOTONIC_COARSE
#define CLOCK_MONOTONIC_COARSE		((clockid_t) 6)
#endif
#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME			((clockid_t) 7)
#endif

#endif
