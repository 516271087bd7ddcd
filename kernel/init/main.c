/*
 * kmain(): the boot hart's path from the boot page tables to a running
 * kernel.  Order matters: trap vector, SBI (for early output), the device
 * tree (through the boot identity map), the kernel map, the UART, then the
 * summary, and finally the self-tests or idling.
 */
#include <stdint.h>

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "arch/riscv/sbi.h"
#include "debug/bench.h"
#include "core/boot.h"
#include "dev/console.h"
#include "dev/plic.h"
#include "sched/exec.h"
#include "mm/initramfs.h"
#include "mm/frame.h"
#include "ipc/futex.h"
#include "core/hart.h"
#include "mm/kmap.h"
#include "ipc/ipc.h"
#include "mm/memobj.h"
#include "ipc/notify.h"
#include "dev/uirq.h"
#include "mm/vm.h"
#include "sched/kstack.h"
#include "init/smp.h"
#include "sched/task.h"
#include "debug/ktest.h"
#include "lib/cmdline.h"
#include "lib/kstring.h"
#include "lib/platform.h"
#include "dev/power.h"
#include "core/printk.h"
#include "sched/timer.h"

#define NUTHATCH_VERSION "0.1"
#define DTB_MAX_SIZE	(2u << 20)	/* larger blobs are refused */

extern char _start[], _end[], boot_stack[], boot_stack_top[];

struct boot_info boot_info;
struct platform boot_platform;

static void print_sbi(void)
{
	const struct sbi_info *s = sbi_info();

	kprintf("sbi: spec %u.%u, %s version 0x%lx\n", s->spec_major,
		s->spec_minor, sbi_impl_name(s->impl_id), s->impl_version);
	kprintf("sbi: TIME %s IPI %s RFENCE %s HSM %s SRST %s DBCN %s\n",
		s->time ? "yes" : "no", s->ipi ? "yes" : "no",
		s->rfence ? "yes" : "no", s->hsm ? "yes" : "no",
		s->srst ? "yes" : "no", s->dbcn ? "yes" : "no");
}

static uint32_t dtb_header_size(const uint8_t *h)
{
	return (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 |
	       (uint32_t)h[6] << 8 | h[7];
}

/* Parse the DT through the boot identity map; panics on a bad tree. */
static void read_platform(void)
{
	const uint8_t *dtb = (const uint8_t *)boot_info.dtb_pa;
	uint32_t size = dtb_header_size(dtb);
	int err;

	if (size > DTB_MAX_SIZE)
		panic("device tree at 0x%lx claims %u bytes", boot_info.dtb_pa,
		      size);
	err = platform_parse(&boot_platform, dtb, size, boot_info.dtb_pa);
	if (!err)
		err = platform_reserve(&boot_platform, boot_info.image_pa,
				       boot_info.image_size, PLAT_RSV_KERNEL,
				       false, "kernel");
	if (err)
		panic("device tree at 0x%lx: %s", boot_info.dtb_pa,
		      nh_strerror(err));
}

static void print_line(void *ctx, const char *text)
{
	(void)ctx;
	kprintf("%s\n", text);
}

static uint64_t ticks_to_us(uint64_t ticks)
{
	uint64_t hz = boot_platform.timebase_hz;

	return hz ? ticks * 1000000 / hz : 0;
}

static void print_boot(void)
{
	platform_print(&boot_platform, print_line, 0);
	kprintf("boot: hart %lu, Sv39 on, image 0x%lx-0x%lx at 0x%lx, "
		"%u table pages, console %s\n", boot_info.boot_hart,
		boot_info.image_pa, boot_info.image_pa + boot_info.image_size,
		(uint64_t)KERNEL_VA, kmap_table_pages(), console_backend());
	kprintf("boot: kernel entered at %lu us, first console line at %lu us "
		"after timer reset\n", ticks_to_us(boot_info.entry_ticks),
		ticks_to_us(boot_info.first_line_ticks));
}

/* Print the tree the kernel received, for capturing it as a fixture. */
static void dump_dtb(void)
{
	const uint8_t *b = kmap_phys(boot_info.dtb_pa);
	uint32_t size = boot_platform.dtb_size;
	char hex[2 * 32 + 1];

	kprintf("dtb-dump: begin %u\n", size);
	for (uint32_t off = 0; off < size; off += 32) {
		uint32_t n = size - off < 32 ? size - off : 32;

		for (uint32_t i = 0; i < n; i++) {
			hex[2 * i] = "0123456789abcdef"[b[off + i] >> 4];
			hex[2 * i + 1] = "0123456789abcdef"[b[off + i] & 15];
		}
		hex[2 * n] = '\0';
		kprintf("dtb-dump: %08x %s\n", off, hex);
	}
	kprintf("dtb-dump: end\n");
}

/* ASIDs: what the hart has, and what the command line lets us use. */
static void read_asids(void)
{
	const char *args = boot_platform.bootargs;
	unsigned bits = arch_asid_bits(), n = 0;
	char v[8];

	boot_info.asid_bits_hw = bits;
	if (cmdline_get(args, "nuthatch.asid", v, sizeof(v)) && !strcmp(v, "off"))
		bits = 0;
	if (cmdline_get(args, "nuthatch.asid_bits", v, sizeof(v))) {
		for (const char *c = v; *c >= '0' && *c <= '9'; c++)
			n = n * 10 + (unsigned)(*c - '0');
		if (n < bits)
			bits = n;
	}
	boot_info.asid_bits = bits;
	kprintf("mmu: Sv39, %u ASID bits, %u in use\n", boot_info.asid_bits_hw, bits);
}

/* How the archive object came to be, for the boot log. */
static const char *archive_note(void)
{
	size_t len;
	bool in_place;
	struct memobj *o = initramfs_object(&len, &in_place);

	if (!o)
		return "";
	memobj_put(o);
	return in_place ? ", its pages taken in place" : ", copied (shares a page)";
}

static void start_memory(void)
{
	uint64_t meta, meta_size;
	int err = frame_init(&boot_platform);

	if (err)
		panic("frame allocator: %s", nh_strerror(err));
	if (smp_overflow_stack(&harts[0]))
		panic("no memory for the overflow stack");
	vm_init();
	memobj_init();
	ipc_init();
	futex_init();
	notify_init();
	uirq_init();
	console_claim_init();
	vm_tlb_init(boot_info.asid_bits);
	frame_meta_range(&meta, &meta_size);
	kprintf("frames: %lu KiB free in %lu frames, metadata 0x%lx-0x%lx\n",
		frame_free_count() * 4, frame_free_count(), meta, meta + meta_size);
	err = initramfs_init();
	kprintf("initramfs: %s%s\n", err == -NH_ENOENT ? "none" :
		err ? nh_strerror(err) : "cpio archive checked", archive_note());
}

static unsigned hz_from_bootargs(void)
{
	char v[16];
	unsigned hz = 0;

	if (!cmdline_get(boot_platform.bootargs, "nuthatch.hz", v, sizeof(v)))
		return TIMER_HZ_DEFAULT;
	for (const char *c = v; *c >= '0' && *c <= '9' && hz <= TIMER_HZ_MAX; c++)
		hz = hz * 10 + (unsigned)(*c - '0');
	return hz;
}

/* PLIC, timer tick, console input; then interrupts on. */
static void start_interrupts(void)
{
	int plic_err = plic_init(&boot_platform);
	int rx_err = -NH_ENODEV;

	if (!plic_err)
		plic_err = plic_hart_init(boot_info.boot_hart);
	if (timer_init(boot_platform.timebase_hz, hz_from_bootargs()))
		panic("timer: no timebase");
	if (!plic_err)
		rx_err = console_rx_enable();
	arch_irq_sources_enable();
	arch_irq_enable();
	kprintf("irq: plic %s, timer %u Hz, console input %s\n",
		plic_err ? nh_strerror(plic_err) : "up", timer_hz(),
		rx_err ? nh_strerror(rx_err) : "by interrupt");
}

/*
 * nuthatch.crash=locked: a kernel fault with a spinlock held, which must
 * take the system down with a panic naming why (the harness checks the
 * verdict).  A fault without a lock only kills its task (TASK0007).
 */
static void crash(const char *how)
{
	static struct spinlock crash_lock = SPINLOCK_INIT("crash test", RANK_TEST_OUTER);
	static volatile uintptr_t nowhere = 16;

	if (strcmp(how, "locked") != 0) {
		kprintf("nuthatch.crash=%s: unknown, ignored\n", how);
		return;
	}
	irqflags_t f = spin_lock_irqsave(&crash_lock);
	*(volatile int *)nowhere = 1;
	spin_unlock_irqrestore(&crash_lock, f);
}

static void strcpy_bounded(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

#define PROC_PATH	"/sbin/proc"
#define PROC_ARGS_MAX	32

/* The boot arguments as words, after "proc": the process server's argv. */
static void split_bootargs(char *buf, size_t room, const char *argv[])
{
	unsigned n = 0;

	strcpy_bounded(buf, boot_platform.bootargs, room);
	argv[n++] = "proc";
	for (char *c = buf; *c && n < PROC_ARGS_MAX; ) {
		while (*c == ' ')
			*c++ = '\0';
		if (*c)
			argv[n++] = c;
		while (*c && *c != ' ')
			c++;
	}
	argv[n] = 0;
}

/*
 * User space: the process server, the first user task, with the boot
 * arguments as its argv and no handles but its self pseudo-handles (it
 * makes its own endpoint; the initramfs and devices it reaches through
 * their calls).  It starts init; nothing here waits for anything else.
 * If it ends (init died, or it did) the system has no user space left:
 * power off with a failing verdict.  Returns only if there is no
 * process server to start.
 */
static void start_user_space(bool testing)
{
	static char words[256];
	const char *argv[PROC_ARGS_MAX + 1];
	const char *const envp[] = { 0 };
	struct task *proc;
	const void *elf;
	size_t len;
	int err = initramfs_find(PROC_PATH, &elf, &len);

	if (err)
		return;
	split_bootargs(words, sizeof(words), argv);
	if (testing)
		ktest_stream(true);	/* kernel messages become "# " lines */
	proc = exec_spawn(elf, len, argv, envp, 0, &err);
	if (!proc) {
		ktest_stream(false);
		kprintf("nuthatch: cannot start %s: %s\n", PROC_PATH, nh_strerror(err));
		return;
	}
	err = task_join(proc);
	kprintf("%sthe process server exited with status %d: no user space left\n",
		testing ? "# " : "nuthatch: ", err);
	power_off(POWER_FAIL_TESTS);
}

/* The self-tests: through the test server under init when there is a
 * process server (the test server powers off with the verdict), else
 * the in-kernel runner. */
static __attribute__((noreturn)) void run_tests(const char *pattern)
{
	start_user_space(true);
	kprintf("# no process server: the kernel runs its own tests\n");
	power_off(ktest_run(pattern) ? POWER_FAIL_TESTS : POWER_PASS);
}

/* The first kernel thread: the self-tests, or the end of boot. */
static void init_main(void *arg)
{
	const char *args = boot_platform.bootargs;
	char pattern[128];

	(void)arg;
	if (cmdline_get(args, "nuthatch.dumpdtb", pattern, sizeof(pattern)))
		dump_dtb();
	if (cmdline_get(args, "nuthatch.test", pattern, sizeof(pattern))) {
		if (!pattern[0])
			strcpy_bounded(pattern, "*", sizeof(pattern));
		run_tests(pattern);
	}
	if (cmdline_get(args, "nuthatch.bench", pattern, sizeof(pattern)))
		power_off(bench_run(pattern[0] ? pattern : "*") ? POWER_FAIL_TESTS
								 : POWER_PASS);
	task_list_print();
	if (cmdline_get(args, "nuthatch.crash", pattern, sizeof(pattern)))
		crash(pattern);
	if (cmdline_get(args, "nuthatch.poweroff", pattern, sizeof(pattern)))
		power_off(POWER_PASS);
	start_user_space(false);
	kprintf("nuthatch: boot complete; no user space (no %s in the initramfs), "
		"idling (QEMU: Ctrl-A X quits)\n", PROC_PATH);
}

/* Tasks, the other harts, the first thread; then this becomes idle. */
static __attribute__((noreturn)) void start_tasks(uint64_t image_offset)
{
	static const struct task_attr init_attr = { .cls = SCHED_FAIR };
	unsigned up;
	int err;

	if (kmap_use_frames(KSTACK_AREA, (uint64_t)KSTACK_SLOTS * KSTACK_SLOT))
		panic("tasks: no memory for the stack area");
	hart_set_online(&harts[0]);
	task_init_boot(&harts[0], (uintptr_t)boot_stack, (uintptr_t)boot_stack_top);
	start_interrupts();
	up = smp_start(&boot_platform, image_offset);
	kprintf("smp: %u of %u harts online\n", up + 1, boot_platform.nharts);
	if (!kthread_create("init", init_main, 0, &init_attr, &err))
		panic("init: %s", nh_strerror(err));
	sched_idle();
}

void kmain(uint64_t hartid, uint64_t dtb_pa, uint64_t entry_ticks,
	   uint64_t image_offset)
{
	hart_init_boot(hartid, (uintptr_t)boot_stack, (uintptr_t)boot_stack_top);
	arch_trap_init();
	sbi_init();
	console_init();		/* printk's sink */
	kprintf("\nNuthatch %s booting on hart %lu\n", NUTHATCH_VERSION, hartid);
	boot_info = (struct boot_info){
		.boot_hart = hartid, .dtb_pa = dtb_pa,
		.image_pa = (uint64_t)_start - image_offset,
		.image_size = (uint64_t)(_end - _start),
		.entry_ticks = entry_ticks, .first_line_ticks = arch_ticks(),
	};
	print_sbi();
	read_platform();
	if (kmap_init(&boot_platform, boot_info.image_pa))
		panic("kernel map: boot table pool exhausted");
	boot_info.console_err = console_use_uart(&boot_platform);
	power_init(&boot_platform);
	print_boot();
	read_asids();
	start_memory();
	start_tasks(image_offset);
}
