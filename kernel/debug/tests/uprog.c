/*
 * The address space of a self-test's user program (uprog.h).
 */
#include "debug/tests/uprog.h"

#include "mm/vm.h"

struct vmspace *uprog_space(const char *from, const char *to, int *err)
{
	size_t len = (size_t)(to - from);
	struct vmspace *u = vm_create(err);
	uint64_t code = CODE_VA, stack = STACK_VA;

	if (!u)
		return 0;
	*err = vm_map(u, &code, (len + 4095) & ~4095ul, VM_READ | VM_EXEC,
		      NH_MAP_FIXED, 0, 0);
	if (!*err)
		*err = vm_write(u, CODE_VA, from, len, VM_FORCE);
	if (!*err)
		*err = vm_map(u, &stack, 4096, VM_READ | VM_WRITE, NH_MAP_FIXED, 0, 0);
	if (*err) {
		vm_put(u);
		return 0;
	}
	return u;
}
