/*
 * Devices for user drivers: what device_open reports about a device the
 * device tree describes (its registers come back as a device memory
 * object to map shared), and the interrupt-line calls.  Shared by the
 * kernel and lib/.
 */
#ifndef NUTHATCH_UAPI_DEVICE_H
#define NUTHATCH_UAPI_DEVICE_H

#include <stdint.h>

#define NH_DEVICE_NAME_MAX	64	/* a compatible string, NUL included */

struct nh_device {
	uint32_t irq;		/* its interrupt line (irq_bind), 0 if none */
	uint32_t pad;
	uint64_t size;		/* bytes of registers (whole pages) */
};

#endif
