/*
 * The POSIX options lib/posix provides, which picolibc's sys/features.h
 * defines only for RTEMS and Cygwin (so its <time.h> would hide
 * clock_gettime, nanosleep and the monotonic and CPU-time clocks).
 * Included by the overlay's <time.h> and <unistd.h> before picolibc's.
 */
#ifndef _SYS_NH_OPTIONS_H
#define _SYS_NH_OPTIONS_H

#define _POSIX_TIMERS		200809L
#define _POSIX_MONOTONIC_CLOCK	200809L
#define _POSIX_CPUTIME		200809L
#define _POSIX_THREAD_CPUTIME	200809L
#define _POSIX_THREADS		200809L

#endif
