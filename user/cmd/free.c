/*
 * free: memory in use and free, from the kernel's frame counts
 * (sys_info), in Linux's layout.  Nuthatch has no swap and no page cache
 * apart from the initramfs's pages (counted as used), so shared,
 * buff/cache and swap are 0 and available is free.
 */
#include <stdio.h>
#include <string.h>

#include <nuthatch/sysinfo.h>

#include "nuthatch.h"

static int usage(FILE *f, int status)
{
	fprintf(f, "Usage: free [-b|-k|-m|-g]\n"
		   "  -b  bytes\n  -k  KiB (the default)\n  -m  MiB\n  -g  GiB\n");
	return status;
}

static void line(const char *name, unsigned long long total, unsigned long long used,
		 unsigned long long free_, int with_rest)
{
	printf("%-7s%12llu%12llu%12llu", name, total, used, free_);
	if (with_rest)
		printf("%12d%12d%12llu", 0, 0, free_);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct nh_sys_info i;
	unsigned shift = 10;

	if (argc > 2)
		return usage(stderr, 1);
	if (argc == 2) {
		static const char *const opts[] = { "-b", "-k", "-m", "-g" };
		static const unsigned shifts[] = { 0, 10, 20, 30 };
		int k = -1;

		if (!strcmp(argv[1], "--help"))
			return usage(stdout, 0);
		for (int j = 0; j < 4; j++)
			if (!strcmp(argv[1], opts[j]))
				k = j;
		if (k < 0)
			return usage(stderr, 1);
		shift = shifts[k];
	}
	if (nh_sys_info(&i)) {
		fprintf(stderr, "free: no figures from the kernel\n");
		return 1;
	}
	printf("%-7s%12s%12s%12s%12s%12s%12s\n", "", "total", "used", "free", "shared",
	       "buff/cache", "available");
	line("Mem:", (i.pages_total << 12) >> shift, ((i.pages_total - i.pages_free) << 12) >> shift,
	     (i.pages_free << 12) >> shift, 1);
	line("Swap:", 0, 0, 0, 0);
	return 0;
}
