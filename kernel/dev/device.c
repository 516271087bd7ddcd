/*
 * Devices for user drivers (see device.h): lookup by compatible in the
 * platform facts, the kernel's own devices refused.
 */
#include "dev/device.h"

#include <nuthatch/errno.h>

#include "core/boot.h"
#include "dev/console.h"
#include "dev/plic.h"
#include "lib/kstring.h"
#include "mm/memobj.h"
#include "lib/platform.h"

#define PAGE	4096ull

/* Does the kernel drive @d itself (so no user may have it)? */
static bool kernel_owned(const struct platform *p, const struct plat_device *d)
{
	return (p->has_console && d->base == p->console.base) ||
	       (p->plic.present && d->base == p->plic.base) ||
	       (p->has_test && d->base == p->test_base);
}

static const struct plat_device *find(const struct platform *p, const char *compat)
{
	for (unsigned i = 0; i < p->ndevs; i++) {
		if (!strcmp(p->devs[i].compatible, compat))
			return &p->devs[i];
	}
	return 0;
}

struct memobj *device_open(const char *compat, struct nh_device *out, int *err)
{
	const struct platform *p = &boot_platform;
	const struct plat_device *d = find(p, compat);
	uint64_t lo, hi;

	if (!d || !d->size) {
		*err = -NH_ENODEV;
		return 0;
	}
	if (kernel_owned(p, d)) {
		*err = -NH_EPERM;
		return 0;
	}
	lo = d->base & ~(PAGE - 1);
	hi = (d->base + d->size + PAGE - 1) & ~(PAGE - 1);
	*out = (struct nh_device){ .irq = d->irq, .size = hi - lo };
	return memobj_device(lo, hi - lo, err);
}

/* Is @d the console UART, handed to a console server (console_claim)?
 * Its registers stay refused (the claim gave them), its line is free. */
static bool console_handed(const struct platform *p, const struct plat_device *d)
{
	return p->has_console && d->base == p->console.base && console_claimed();
}

int device_irq_check(uint32_t irq)
{
	const struct platform *p = &boot_platform;
	bool user = false, kernel = false;

	if (irq == 0 || irq > plic_ndev())
		return -NH_EINVAL;
	kernel = p->has_console && p->console.irq == irq && !console_claimed();
	for (unsigned i = 0; i < p->ndevs; i++) {
		if (p->devs[i].irq != irq)
			continue;
		if (kernel_owned(p, &p->devs[i]) && !console_handed(p, &p->devs[i]))
			kernel = true;
		else
			user = true;
	}
	return kernel ? -NH_EPERM : user ? 0 : -NH_EINVAL;
}
