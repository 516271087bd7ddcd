/*
 * Program loading (see exec.h).
 */
#include "sched/exec.h"

#include <nuthatch/errno.h>

#include "mm/frame.h"
#include "mm/kmap.h"
#include "lib/elf.h"
#include "lib/kstring.h"
#include "mm/uaccess.h"
#include "mm/vm.h"

#define AT_NULL		0
#define AT_PAGESZ	6
#define AT_ENTRY	9


static const struct elf_limits limits = {
	.user_lo = 0x10000,
	/* a page of nothing between the heap's limit and the stack */
	.user_hi = EXEC_STACK_TOP - EXEC_STACK_SIZE - VM_BRK_MAX - 4096,
	.max_memsz = EXEC_IMAGE_MAX,
	.max_float_abi = ELF_FLOAT_DOUBLE,
};

static unsigned prot_of(uint32_t elf_prot)
{
	return (elf_prot & ELF_R ? VM_READ : 0) | (elf_prot & ELF_W ? VM_WRITE : 0) |
	       (elf_prot & ELF_X ? VM_EXEC : 0);
}

static int load_segments(struct vmspace *u, const uint8_t *file,
			 const struct elf_image *img)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		uint64_t lo = s->vaddr & ~4095ul;
		uint64_t hi = (s->vaddr + s->memsz + 4095) & ~4095ul;
		int err = vm_map(u, &lo, hi - lo, prot_of(s->prot), NH_MAP_FIXED, 0, 0);

		if (!err)
			err = vm_write(u, s->vaddr, file + s->offset, s->filesz, VM_FORCE);
		if (err)
			return err;
	}
	return 0;
}

static size_t count(const char *const v[])
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Bytes the strings and pointers of argv and envp need on the stack. */
static size_t args_size(const char *const argv[], const char *const envp[])
{
	size_t n = (count(argv) + count(envp) + 3 + 6) * 8;

	for (size_t i = 0; i < count(argv); i++)
		n += strlen(argv[i]) + 1;
	for (size_t i = 0; i < count(envp); i++)
		n += strlen(envp[i]) + 1;
	return n;
}

/* Copy the strings of @v below *str; fill @ptrs with their user addresses. */
static int put_strings(struct vmspace *u, const char *const v[], uint64_t *str,
		       uint64_t *ptrs)
{
	for (size_t i = 0; i < count(v); i++) {
		size_t len = strlen(v[i]) + 1;

		*str -= len;
		ptrs[i] = *str;
		if (vm_write(u, *str, v[i], len, 0))
			return -NH_EFAULT;
	}
	ptrs[count(v)] = 0;
	return 0;
}

/*
 * The initial stack: argc, argv..., 0, envp..., 0, auxv; returns sp.
 * args_size() <= EXEC_ARGS_MAX was checked, so the words fit one page,
 * which is borrowed rather than put on the kernel stack.
 */
static int build_stack(struct vmspace *u, const char *const argv[],
		       const char *const envp[], uint64_t entry, uint64_t *sp)
{
	uint64_t page = frame_alloc();
	uint64_t *words = page ? kmap_phys(page) : 0;
	size_t argc = count(argv), envc = count(envp), n = 0;
	uint64_t str = EXEC_STACK_TOP;
	int err;

	_Static_assert(EXEC_ARGS_MAX <= 4096, "the words fit a page");
	if (!words)
		return -NH_ENOMEM;
	words[n++] = argc;
	err = put_strings(u, argv, &str, &words[n]);
	n += argc + 1;
	if (!err)
		err = put_strings(u, envp, &str, &words[n]);
	n += envc + 1;
	words[n++] = AT_PAGESZ;
	words[n++] = 4096;
	words[n++] = AT_ENTRY;
	words[n++] = entry;
	words[n++] = AT_NULL;
	words[n++] = 0;
	*sp = (str - n * 8) & ~15ul;
	if (!err)
		err = vm_write(u, *sp, words, n * 8, 0);
	frame_put(page);
	return err;
}

static int build_space(struct vmspace *u, const void *elf,
		       const struct elf_image *img, const char *const argv[],
		       const char *const envp[], uint64_t *sp)
{
	uint64_t stack = EXEC_STACK_TOP - EXEC_STACK_SIZE;
	int err = load_segments(u, elf, img);

	u->brk_start = u->brk = img->highest;
	if (!err)
		err = vm_map(u, &stack, EXEC_STACK_SIZE, VM_READ | VM_WRITE,
			     NH_MAP_FIXED, 0, 0);
	if (!err)
		err = build_stack(u, argv, envp, img->entry, sp);
	return err;
}

struct task *exec_spawn(const void *elf, size_t len, const char *const argv[],
			const char *const envp[], const struct task_attr *attr,
			int *err)
{
	struct elf_image img;
	struct vmspace *u;
	struct task *t;
	uint64_t sp;

	*err = elf_check(elf, len, &limits, &img);
	if (!*err && args_size(argv, envp) > EXEC_ARGS_MAX)
		*err = -NH_E2BIG;
	if (*err)
		return 0;
	u = vm_create(err);
	if (!u)
		return 0;
	*err = build_space(u, elf, &img, argv, envp, &sp);
	if (*err)
		goto out_space;
	vm_tlb_code_written();	/* fence.i */
	/* -- committed: the task owns the space from here -- */
	t = utask_create(argv && argv[0] ? argv[0] : "user", u, img.entry, sp, 0,
			 attr, err);
	if (t)
		return t;
out_space:
	vm_put(u);
	return 0;
}
