/*
 * libFuzzer target for the device-tree parser: any bytes go through
 * platform_parse() and, when accepted, platform_print().  Built with
 * -fsanitize=fuzzer,address,undefined; the seed corpus is the fixture
 * DTBs (see host.mk, target "fuzz").
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const char *text)
{
	size_t *total = ctx;

	*total += strlen(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct platform p;
	size_t total = 0;

	if (platform_parse(&p, data, size, 0x80000000u) == 0)
		platform_print(&p, sink, &total);
	return 0;
}
