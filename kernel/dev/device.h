/*
 * Devices user drivers may take: the DT's devices (struct platform devs[])
 * minus those the kernel drives itself (the console UART, the PLIC, the
 * test/power-off device).  device_open gives a device's registers as a
 * device memory object (memobj.h); device_irq_check says whether a user
 * may bind an interrupt line (uirq.h).  Reads only boot_platform, which
 * never changes after boot: no lock.
 */
#ifndef NUTHATCH_DEVICE_H
#define NUTHATCH_DEVICE_H

#include <stdint.h>

#include <nuthatch/device.h>

struct memobj;

/*
 * The first device whose compatible is @compat, as a device memory object
 * covering its registers (rounded out to pages), with its line and size
 * in *out.  NULL and -NH_ENODEV (none), -NH_EPERM (the kernel drives it),
 * -NH_ENOMEM in *err.
 */
struct memobj *device_open(const char *compat, struct nh_device *out, int *err);

/* May a user driver bind line @irq?  0; -NH_EPERM for a line of a device
 * the kernel drives; -NH_EINVAL for 0, past the PLIC, or no device's. */
int device_irq_check(uint32_t irq);

#endif
