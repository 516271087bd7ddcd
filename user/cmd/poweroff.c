/*
 * poweroff: the system off (or, with -r, rebooted; with -H, halted),
 * through the process server's reboot request, which writes the console
 * out first.  Where the board cannot power off (QEMU sifive_u: no test
 * device, and SBI SRST shutdown refused) it says so and halts instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nuthatch/errno.h>
#include <nuthatch/sysinfo.h>

#include "nhproto.h"
#include "proto/proc.h"

static int usage(FILE *f, int status)
{
	fprintf(f, "Usage: poweroff [-r|-H]\n"
		   "  -r  reboot instead\n  -H  halt: stop without powering off\n");
	return status;
}

int main(int argc, char **argv)
{
	int how = NH_POWER_OFF;
	long r;

	if (argc == 2 && !strcmp(argv[1], "--help"))
		return usage(stdout, 0);
	if (argc == 2 && !strcmp(argv[1], "-r"))
		how = NH_POWER_REBOOT;
	else if (argc == 2 && !strcmp(argv[1], "-H"))
		how = NH_POWER_HALT;
	else if (argc != 1)
		return usage(stderr, 1);
	fflush(stdout);
	r = proc_reboot(NH_PROC_HANDLE, how);
	if (r == -NH_ENOTSUP && how == NH_POWER_OFF) {
		printf("poweroff: this board cannot power off; halting\n");
		fflush(stdout);
		r = proc_reboot(NH_PROC_HANDLE, NH_POWER_HALT);
	}
	fprintf(stderr, "poweroff: %s\n", strerror((int)-r));
	return 1;
}
