/*
 * Memory mappings, POSIX-shaped (picolibc has no <sys/mman.h>): anonymous
 * private and shared memory in the calling task's address space.  Files
 * are not mappable yet (no file server): a memory object handle can be
 * mapped with nh_mmap_object().
 */
#ifndef NUTHATCH_SYS_MMAN_H
#define NUTHATCH_SYS_MMAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <nuthatch/vm.h>

#define PROT_NONE	NH_PROT_NONE
#define PROT_READ	NH_PROT_READ
#define PROT_WRITE	NH_PROT_WRITE
#define PROT_EXEC	NH_PROT_EXEC

#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_ANON	MAP_ANONYMOUS
#define MAP_FAILED	((void *)-1)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);

/* Map memory object @obj (a handle) from byte @off; MAP_FAILED and errno. */
void *nh_mmap_object(void *addr, size_t len, int prot, int flags, long obj,
		     uint64_t off);

#endif
