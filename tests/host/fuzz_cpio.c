/*
 * libFuzzer target for the initramfs reader: any bytes go through
 * cpio_check(), a walk with cpio_next() and cpio_find() on fixed paths
 * and on the first entries' own names.  Results must agree with each
 * other (a lookup fails exactly when the check does, with the same
 * error) and every entry must lie inside the input; a disagreement
 * aborts.  Built with -fsanitize=fuzzer,address,undefined; the seed
 * corpus is a few GNU cpio archives (see host.mk, target "fuzz").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpio.h"
#include <nuthatch/errno.h>

#define NAMES	8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = { "init", "/bin/init", "./etc/motd",
				     "TRAILER!!!", "", "/" };

static void must(int cond)
{
	if (!cond)
		abort();
}

/* The file @f returned for @archive[0..size) lies inside it. */
static void inside(const uint8_t *archive, size_t size,
		   const struct cpio_file *f)
{
	const uint8_t *name = (const uint8_t *)f->name, *d = f->data;

	must(name >= archive + 110 && f->namelen < size &&
	     name + f->namelen < archive + size && name[f->namelen] == 0);
	must(d >= archive && d <= archive + size &&
	     f->size <= (size_t)(archive + size - d));
}

static void lookup(const uint8_t *data, size_t size, const char *path,
		   int check)
{
	struct cpio_file f;
	int rc = cpio_find(data, size, path, &f);

	if (check < 0) {
		must(rc == check);
		return;
	}
	must(rc == 0 || rc == -NH_ENOENT);
	if (rc == 0) {
		inside(data, size, &f);
		must((f.mode & CPIO_S_IFMT) == CPIO_S_IFREG);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char names[NAMES][128];
	struct cpio_file e;
	size_t off = 0, last = 0;
	int n = 0, rc, check = cpio_check(data, size);

	while ((rc = cpio_next(data, size, &off, &e)) == 1) {
		must(off > last && off <= size && off % 4 == 0);
		inside(data, size, &e);
		if (n < NAMES && e.namelen < sizeof(names[0]))
			memcpy(names[n++], e.name, e.namelen + 1);
		last = off;
	}
	must(rc == check && (rc == 0 || rc == -NH_EBADMSG));
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		lookup(data, size, paths[i], check);
	for (int i = 0; i < n; i++)
		lookup(data, size, names[i], check);
	return 0;
}
