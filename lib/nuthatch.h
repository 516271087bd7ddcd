/*
 * Nuthatch's system calls for user programs: one stub per call, generated
 * from kernel/uapi/nuthatch/syscalls.tbl (build/gen/usys.S).  They return
 * a value or a negative NH_E* code; the POSIX layer in lib/ turns that
 * into errno.
 */
#ifndef NUTHATCH_USER_H
#define NUTHATCH_USER_H

#include <stddef.h>
#include <stdint.h>

#include <nuthatch/device.h>
#include <nuthatch/handle.h>
#include <nuthatch/ipc.h>
#include <nuthatch/sysno.h>
#include <nuthatch/task.h>
#include <nuthatch/vm.h>

long nh_null(void);
__attribute__((noreturn)) void nh_exit(int status);
long nh_yield(void);
long nh_clock_ns(void);
long nh_debug_write(const void *buf, size_t len);
long nh_sleep_ns(uint64_t ns);
long nh_brk(uintptr_t end);

/* Handles (nuthatch/handle.h): numbers private to the calling task. */
long nh_handle_close(long h);
long nh_handle_dup(long h, uint32_t rights);
long nh_handle_install(long task_h, long h, uint32_t rights);
long nh_handle_info(long h, struct nh_handle_info *out);

/* Address spaces and memory objects (nuthatch/vm.h); lib/mman.c builds
 * mmap, munmap and mprotect on them. */
long nh_space_create(void);
long nh_space_clone(long space);
long nh_space_map(long space, uint64_t va, uint64_t len, uint64_t prot_flags,
		  long obj, uint64_t off);
long nh_space_unmap(long space, uint64_t va, uint64_t len);
long nh_space_protect(long space, uint64_t va, uint64_t len, uint64_t prot);
long nh_space_query(long space, uint64_t va, struct nh_region *out);
long nh_space_read(long space, uint64_t va, void *buf, uint64_t len);
long nh_space_write(long space, uint64_t va, const void *buf, uint64_t len);
long nh_space_stat(long space, struct nh_space_stat *out);
long nh_space_limit(long space, uint64_t pages);
long nh_memobj_create(uint64_t size);
long nh_initrd_open(const char *path);

/* Task control (nuthatch/task.h) on task handles. */
long nh_task_create(long space, const struct nh_task_start *st);
long nh_task_suspend(long task);
long nh_task_resume(long task);
long nh_task_kill(long task);
long nh_task_regs(long task, long set, struct nh_regs *regs);
long nh_task_sched(long task, long set, struct nh_sched *p);
long nh_task_info(long task, struct nh_task_info *out);
long nh_task_set_space(long task, long space, uint64_t pc, uint64_t sp);
long nh_task_wait(long task, struct nh_exit *out);
long nh_task_clear_tid(long task, uint32_t *uaddr);
long nh_task_interrupt(long task);

/* Futexes: sleep while the 32-bit word at @uaddr (4-byte aligned, in
 * one's own space) holds @val; timeout_ns 0 waits without a deadline.
 * 0 woken, -NH_EAGAIN (the word differs), -NH_ETIMEDOUT, -NH_EINTR
 * (task_interrupt), -NH_EINVAL (misaligned), -NH_EFAULT.  The wakes
 * return how many woke. */
long nh_futex_wait(const volatile uint32_t *uaddr, uint32_t val, uint64_t timeout_ns);
long nh_futex_wake(const volatile uint32_t *uaddr, uint32_t n);
long nh_futex_wake_in(long space, uint64_t uaddr, uint32_t n);

/* Synchronous IPC (nuthatch/ipc.h).  The raw calls return only a0; the
 * nh_call family (lib/ipc.S) moves whole messages. */
long nh_endpoint_create(void);
long nh_endpoint_mint(long ep, uint64_t badge, uint32_t rights);
long nh_ipc_set_buffer(void *page);
long nh_ipc_reply_save(void);
long nh_ipc_bind_events(long task, long ep, uint64_t badge);
long nh_endpoint_bind_notify(long ep, long notify);
long nh_call(long ep, struct nh_msg *m);
long nh_recv(long ep, struct nh_msg *m);
long nh_reply(long reply, struct nh_msg *m);
long nh_reply_recv(long ep, struct nh_msg *m);

/* Notifications: a word of signal bits 0..62 (WRITE to signal, READ to
 * wait or poll); wait returns the pending bits and clears them. */
long nh_notify_create(void);
long nh_notify_signal(long notify, uint64_t bits);
long nh_notify_wait(long notify);
long nh_notify_poll(long notify);

/* User drivers (nuthatch/device.h): a device's registers as a memory
 * object to map shared, its line bound to a notification, acked. */
long nh_device_open(const char *compatible, struct nh_device *out);
long nh_irq_bind(uint32_t irq, long notify, uint64_t bits);
long nh_irq_ack(long irq);

#endif
