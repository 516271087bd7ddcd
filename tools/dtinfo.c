/*
 * dtinfo: print what the kernel would read from a device tree blob.
 *
 *   build/host/dtinfo FILE.dtb
 *
 * Runs the kernel's own platform_parse() and platform_print() on the
 * file's bytes.  Exit status: 0 printed, 1 the blob was rejected (one
 * line "dtinfo: FILE: reason" on stderr), 2 the file could not be read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fdt.h"
#include "lib/platform.h"
#include <nuthatch/errno.h>

#define DTINFO_MAX_FILE	(64u << 20)

static void print_line(void *ctx, const char *text)
{
	fprintf(ctx, "%s\n", text);
}

/* Read all of @path into a malloc'd buffer; NULL and errno on failure. */
static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!fp)
		return NULL;
	for (;;) {
		if (n == cap) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = cap <= DTINFO_MAX_FILE ? realloc(buf, cap) : NULL;
			if (!nb) {
				errno = cap > DTINFO_MAX_FILE ? EFBIG : ENOMEM;
				goto out_free;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, fp);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp))
		goto out_free;
	fclose(fp);
	*len = n;
	return buf;
out_free:
	free(buf);
	fclose(fp);
	return NULL;
}

static const char *reason(int err, const unsigned char *blob, size_t len)
{
	struct fdt f;

	switch (err) {
	case -NH_EBADMSG:
		fdt_open(&f, blob, len);
		return f.why[0] ? f.why : "malformed device tree";
	case -NH_ENOSPC:
		return "too many entries for the platform tables";
	case -NH_ENOENT:
		return "no memory, no usable hart or no timebase";
	default:
		return "cannot parse";
	}
}

int main(int argc, char **argv)
{
	static struct platform plat;
	unsigned char *blob;
	size_t len = 0;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: dtinfo FILE.dtb\n");
		return 2;
	}
	blob = read_file(argv[1], &len);
	if (!blob) {
		fprintf(stderr, "dtinfo: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	err = platform_parse(&plat, blob, len, 0);
	if (err) {
		fprintf(stderr, "dtinfo: %s: %s\n", argv[1],
			reason(err, blob, len));
		free(blob);
		return 1;
	}
	platform_print(&plat, print_line, stdout);
	free(blob);
	return fflush(stdout) == 0 ? 0 : 2;
}
