/*
 * For the test server: memory mappings from a program's side.  argv[1]:
 *   maps     mmap/munmap/mprotect round trip; exit 0, or the failed step
 *   unmapped touch a page after munmap (ends with a store fault at FIXED_VA)
 *   readonly write a page after mprotect(PROT_READ) (the same)
 *   limit    touch pages past a charge limit (ends out of memory)
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <nuthatch/handle.h>

#include "nuthatch.h"

#define FIXED_VA	((char *)0x2000000000ul)
#define PAGE		4096

static int maps(void)
{
	char *p = mmap(0, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;

	if (p == MAP_FAILED)
		return 1;
	for (int i = 0; i < 16; i++)
		if (p[i * PAGE] != 0)	/* zero-filled */
			return 2;
	memset(p, 0x5a, 16 * PAGE);
	if (mprotect(p, 4 * PAGE, PROT_READ) || p[PAGE] != 0x5a)
		return 3;
	if (munmap(p + 4 * PAGE, 4 * PAGE))
		return 4;
	q = mmap(p + 4 * PAGE, 4 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q != p + 4 * PAGE || q[0] != 0)	/* a fresh page in the hole */
		return 5;
	errno = 0;
	if (mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED ||
	    errno != EEXIST)
		return 6;
	if (mmap(0, PAGE, PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED ||
	    errno != EINVAL)
		return 7;
	if (mmap(0, PAGE, PROT_READ, MAP_PRIVATE, 3, 0) != MAP_FAILED || errno != ENODEV)
		return 8;
	if (munmap(p, 16 * PAGE) || mprotect(p, PAGE, PROT_READ) == 0 || errno != ENOMEM)
		return 9;
	return 0;
}

static char *fixed_page(void)
{
	return mmap(FIXED_VA, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static int limit(void)
{
	struct nh_space_stat st;
	char *p;

	if (nh_space_stat(NH_SELF_SPACE, &st) || nh_space_limit(NH_SELF_SPACE, st.resident + 16))
		return 1;
	p = mmap(0, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; p != MAP_FAILED && i < 64; i++)
		p[i * PAGE] = 1;	/* ends here, out of memory */
	return 2;
}

int main(int argc, char **argv)
{
	volatile char *p;

	if (argc < 2)
		return 100;
	if (!strcmp(argv[1], "maps"))
		return maps();
	if (!strcmp(argv[1], "limit"))
		return limit();
	p = fixed_page();
	if (p != FIXED_VA)
		return 101;
	p[0] = 1;
	if (!strcmp(argv[1], "unmapped") && munmap((char *)p, PAGE) == 0)
		p[0] = 2;	/* a store fault at FIXED_VA */
	if (!strcmp(argv[1], "readonly") && mprotect((char *)p, PAGE, PROT_READ) == 0)
		p[0] = 3;	/* the same */
	return 102;
}
