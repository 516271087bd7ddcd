/*
 * <sys/sysinfo.h> for Nuthatch: glibc's hart counts (from the kernel's
 * sys_info).
 */
#ifndef _SYS_SYSINFO_H
#define _SYS_SYSINFO_H

#ifdef __cplusplus
extern "C" {
#endif

int get_nprocs(void);		/* harts online */
int get_nprocs_conf(void);	/* harts in the device tree */
long get_phys_pages(void);
long get_avphys_pages(void);

#ifdef __cplusplus
}
#endif

#endif
