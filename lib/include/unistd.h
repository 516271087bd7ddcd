/*
 * <unistd.h> for Nuthatch: picolibc's, plus Linux's gettid.
 */
#ifndef _NH_UNISTD_H
#define _NH_UNISTD_H

#include_next <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

pid_t gettid(void);	/* the calling thread's id (the pid in a process's first) */

#ifdef __cplusplus
}
#endif

#endif
