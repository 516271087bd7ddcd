/*
 * What the system is, as POSIX asks: sysconf (from the kernel's
 * sys_info and this system's fixed limits), uname and glibc's
 * get_nprocs family.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <nuthatch/errno.h>
#include <nuthatch/sysinfo.h>

#include "nhproto.h"
#include "nuthatch.h"

#define NH_RELEASE	"0.15"		/* the issue the process model came with */

static struct nh_sys_info info_now(void)
{
	struct nh_sys_info i = { .harts_online = 1, .harts_possible = 1 };

	nh_sys_info(&i);
	return i;
}

int get_nprocs(void)
{
	return (int)info_now().harts_online;
}

int get_nprocs_conf(void)
{
	return (int)info_now().harts_possible;
}

long get_phys_pages(void)
{
	return (long)info_now().pages_total;
}

long get_avphys_pages(void)
{
	return (long)info_now().pages_free;
}

/* Limits that are this system's constants. */
static const struct {
	int name;
	long value;
} fixed[] = {
	{ _SC_ARG_MAX, NH_IPC_BUF_MAX },	/* exec's strings travel in one IPC buffer */
	{ _SC_CHILD_MAX, 32768 },		/* the default pid_max */
	{ _SC_CLK_TCK, 100 },
	{ _SC_NGROUPS_MAX, 0 },
	{ _SC_OPEN_MAX, 256 },
	{ _SC_JOB_CONTROL, 1 },
	{ _SC_SAVED_IDS, 1 },
	{ _SC_VERSION, 200809L },
	{ _SC_PAGESIZE, 4096 },
	{ _SC_THREADS, 200809L },
	{ _SC_THREAD_STACK_MIN, 16384 },
	{ _SC_HOST_NAME_MAX, 64 },
	{ _SC_LOGIN_NAME_MAX, 256 },
	{ _SC_TTY_NAME_MAX, 32 },
	{ _SC_CPUTIME, 200809L },
	{ _SC_MONOTONIC_CLOCK, 200809L },
	{ _SC_TIMERS, 200809L },
	{ _SC_IOV_MAX, 1024 },
	{ _SC_LINE_MAX, 2048 },
	{ _SC_RTSIG_MAX, 0 },
	{ _SC_SIGQUEUE_MAX, 32 },
	{ _SC_ATEXIT_MAX, 32 },
};

long sysconf(int name)
{
	struct nh_sys_info i;

	switch (name) {
	case _SC_NPROCESSORS_ONLN:
		return get_nprocs();
	case _SC_NPROCESSORS_CONF:
		return get_nprocs_conf();
	case _SC_PHYS_PAGES:
	case _SC_AVPHYS_PAGES:
		i = info_now();
		return (long)(name == _SC_PHYS_PAGES ? i.pages_total : i.pages_free);
	}
	for (unsigned k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
		if (fixed[k].name == name)
			return fixed[k].value;
	errno = EINVAL;
	return -1;
}

int uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "Nuthatch");
	strcpy(u->nodename, "nuthatch");
	strcpy(u->release, NH_RELEASE);
	strcpy(u->version, "#1 " __DATE__);
	strcpy(u->machine, "riscv64");
	strcpy(u->domainname, "(none)");
	return 0;
}
