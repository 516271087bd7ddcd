/*
 * <unistd.h> for Nuthatch: picolibc's, plus Linux's gettid and the
 * POSIX option macros picolibc defines only for RTEMS and Cygwin, for
 * what lib/posix provides.
 */
#ifndef _NH_UNISTD_H
#define _NH_UNISTD_H

#include <sys/_nh_options.h>
#include_next <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

pid_t gettid(void);	/* the calling thread's id (the pid in a process's first) */

#ifdef __cplusplus
}
#endif

#endif
