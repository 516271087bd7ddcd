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

/* What console_claim reports about the console UART, which it hands to
 * the caller: the driver to use, where its registers are and its line. */
struct nh_console {
	char compatible[NH_DEVICE_NAME_MAX];	/* "ns16550a", "sifive,uart0", ... */
	long regs;		/* a handle: its registers' device memory object */
	uint32_t irq;		/* its interrupt line, 0 if none */
	uint32_t shift;		/* register stride = 1 << shift */
	uint32_t width;		/* access width in bytes: 1 or 4 */
	uint32_t offset;	/* the registers' offset in the first page */
};

#endif
