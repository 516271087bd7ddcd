/*
 * Starting a program: check its ELF image (kernel/lib/elf.c: every field
 * before anything is mapped), build an address space with its
 * segments, a heap and a stack holding argc, argv, envp and the auxiliary
 * vector (System V layout), and start it as a user task (the initramfs
 * is mm/initramfs.h).  Temporary in part: the
 * process server takes exec over once address spaces and IPC exist.
 */
#ifndef NUTHATCH_EXEC_H
#define NUTHATCH_EXEC_H

#include <stddef.h>

#include "sched/task.h"

#define EXEC_STACK_TOP	0x40000000ul	/* 1 GiB */
#define EXEC_STACK_SIZE	(8ul << 20)	/* filled on touch */
#define EXEC_IMAGE_MAX	(256ul << 20)	/* an image's memory size */
#define EXEC_ARGS_MAX	4096		/* argv + envp strings and pointers */

/*
 * Start @elf as a new user task.  -NH_ENOEXEC (bad image), -NH_E2BIG
 * (arguments or image too big), -NH_ENOMEM; nothing is left behind on
 * failure.
 */
struct task *exec_spawn(const void *elf, size_t len, const char *const argv[],
			const char *const envp[], const struct task_attr *attr,
			int *err);

#endif
