/*
 * SBI calls: the base extension probe, the consoles and system reset.
 * The calling convention: extension in a7, function in a6, arguments in
 * a0..a5, error in a0 and value in a1.
 */
#include "arch/riscv/sbi.h"

static struct sbi_info info;	/* written once by sbi_init, then read-only */

struct sbi_ret sbi_call4(long ext, long fid, long arg0, long arg1, long arg2,
			 long arg3)
{
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	register long a2 __asm__("a2") = arg2;
	register long a3 __asm__("a3") = arg3;
	register long a6 __asm__("a6") = fid;
	register long a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a2), "r"(a3), "r"(a6), "r"(a7)
			 : "memory");
	return (struct sbi_ret){ a0, a1 };
}

struct sbi_ret sbi_call(long ext, long fid, long arg0, long arg1, long arg2)
{
	return sbi_call4(ext, fid, arg0, arg1, arg2, 0);
}

static long sbi_legacy(long ext, long arg0)
{
	register long a0 __asm__("a0") = arg0;
	register long a7 __asm__("a7") = ext;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "a1", "memory");
	return a0;
}

static bool sbi_probe(long ext)
{
	struct sbi_ret r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0);

	return r.error == 0 && r.value != 0;
}

void sbi_init(void)
{
	long spec = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0).value;

	info.spec_major = (spec >> 24) & 0x7f;
	info.spec_minor = spec & 0xffffff;
	info.impl_id = sbi_call(SBI_EXT_BASE, 1, 0, 0, 0).value;
	info.impl_version = sbi_call(SBI_EXT_BASE, 2, 0, 0, 0).value;
	info.time = sbi_probe(SBI_EXT_TIME);
	info.ipi = sbi_probe(SBI_EXT_IPI);
	info.rfence = sbi_probe(SBI_EXT_RFENCE);
	info.hsm = sbi_probe(SBI_EXT_HSM);
	info.srst = sbi_probe(SBI_EXT_SRST);
	info.dbcn = sbi_probe(SBI_EXT_DBCN);
}

const struct sbi_info *sbi_info(void)
{
	return &info;
}

const char *sbi_impl_name(long impl_id)
{
	static const char *const names[] = {
		"BBL", "OpenSBI", "Xvisor", "KVM", "RustSBI", "Diosix",
		"Coffer", "Xen", "PolarFire HSS",
	};

	if (impl_id >= 0 && impl_id < (long)(sizeof(names) / sizeof(names[0])))
		return names[impl_id];
	return "unknown";
}

void sbi_console_putc(char c)
{
	if (info.dbcn)
		sbi_call(SBI_EXT_DBCN, 2, (unsigned char)c, 0, 0);
	else
		sbi_legacy(1, (unsigned char)c);
}

struct sbi_ret sbi_system_reset(long type, long reason)
{
	return sbi_call(SBI_EXT_SRST, 0, type, reason, 0);
}
