/*
 * The address-space and memory-object system calls (syscalls.tbl,
 * space_* and memobj_*): handle checks, then vm.c and memobj.c.  Rights:
 * MAP on a space to change its mappings (and on an object to map it,
 * with WRITE too for a shared writable mapping); READ to query, copy out
 * of or clone a space; WRITE to copy into it; CONTROL to set its limit.
 * brk, the caller's own heap, closes the file.
 */
#include <nuthatch/errno.h>

#include "mm/frame.h"
#include "mm/initramfs.h"
#include "obj/handle.h"
#include "mm/kmap.h"
#include "mm/memobj.h"
#include "sys/syscall.h"
#include "sched/task.h"
#include "mm/uaccess.h"
#include "mm/vm.h"

#define NEW_RIGHTS	NH_RIGHTS_ALL
#define INITRD_RIGHTS	(NH_RIGHT_READ | NH_RIGHT_MAP | NH_RIGHT_GRANT)

static int space_ref(long h, uint32_t need, struct vmspace **s)
{
	return handle_lookup_self(h, NH_OBJ_SPACE, need, (void **)s);
}

long sys_space_create(void)
{
	int err;
	struct vmspace *s = vm_create(&err);

	return s ? handle_give(NH_OBJ_SPACE, s, NEW_RIGHTS) : err;
}

long sys_space_clone(long space)
{
	struct vmspace *s, *c;
	int err = space_ref(space, NH_RIGHT_READ, &s);

	if (err)
		return err;
	c = vm_clone(s, &err);
	vm_put(s);
	return c ? handle_give(NH_OBJ_SPACE, c, NEW_RIGHTS) : err;
}

/* The memory object of a mapping request (0: anonymous), with the rights
 * its kind needs. */
static int map_obj(long h, unsigned prot, unsigned *flags, struct memobj **o)
{
	uint32_t need = NH_RIGHT_MAP | NH_RIGHT_READ;
	int err;

	*o = 0;
	if (!h)
		return 0;
	if ((*flags & NH_MAP_SHARED) && (prot & NH_PROT_WRITE))
		need |= NH_RIGHT_WRITE;
	err = handle_lookup_self(h, NH_OBJ_MEMOBJ, need, (void **)o);
	if (err || (need & NH_RIGHT_WRITE) || !(*flags & NH_MAP_SHARED))
		return err;
	/* Shared without asking for W: may its mapper ever write it? */
	if (handle_lookup_self(h, NH_OBJ_MEMOBJ, need | NH_RIGHT_WRITE,
			       (void **)o) == 0)
		memobj_put(*o);		/* (the second reference) */
	else
		*flags |= VM_MAP_OBJ_NOWRITE;
	return 0;
}

/* Map @m (in the kernel's copy) into @s; the address. */
static long map_into(struct vmspace *s, struct nh_map *m)
{
	unsigned flags = m->flags;
	struct memobj *o = 0;
	uint64_t va = m->va;
	int err = map_obj(m->obj, m->prot, &flags, &o);

	if (!err && !o && (flags & NH_MAP_SHARED)) {	/* shared anonymous */
		if (m->offset)
			err = -NH_EINVAL;
		else
			o = memobj_create(m->len, &err);
	}
	if (!err)
		err = vm_map(s, &va, m->len, m->prot, flags, o, m->offset);
	if (o)
		memobj_put(o);
	return err ? err : (long)va;
}

long sys_space_map(long space, uintptr_t map)
{
	struct nh_map m;
	struct vmspace *s;
	long r = copy_from_user(&m, map, sizeof(m));

	if (!r && (m.prot > 0xff || m.flags > 0xff))	/* above: kernel-only flags */
		r = -NH_EINVAL;
	if (!r)
		r = space_ref(space, NH_RIGHT_MAP, &s);
	if (r)
		return r;
	r = map_into(s, &m);
	vm_put(s);
	return r;
}

long sys_space_unmap(long space, uint64_t va, size_t len)
{
	struct vmspace *s;
	int err = space_ref(space, NH_RIGHT_MAP, &s);

	if (err)
		return err;
	err = vm_unmap(s, va, len);
	vm_put(s);
	return err;
}

long sys_space_protect(long space, uint64_t va, size_t len, unsigned prot)
{
	struct vmspace *s;
	int err = prot > 0xff ? -NH_EINVAL : space_ref(space, NH_RIGHT_MAP, &s);

	if (err)
		return err;
	err = vm_protect(s, va, len, prot);
	vm_put(s);
	return err;
}

long sys_space_query(long space, uint64_t va, uintptr_t out)
{
	struct nh_region r;
	struct vmspace *s;
	int err = space_ref(space, NH_RIGHT_READ, &s);

	if (err)
		return err;
	err = vm_query(s, va, &r);
	vm_put(s);
	if (!err && copy_to_user(out, &r, sizeof(r)))
		err = -NH_EFAULT;
	return err;
}

/* Copy @len bytes between the caller's @ubuf and @s at @va, a page at a
 * time through a borrowed frame. */
static int copy_between(struct vmspace *s, uint64_t va, uint64_t ubuf,
			uint64_t len, bool into)
{
	uint64_t pa = frame_alloc();
	uint8_t *bounce = pa ? kmap_phys(pa) : 0;
	int err = bounce ? 0 : -NH_ENOMEM;

	for (uint64_t done = 0; !err && done < len; ) {
		uint64_t n = len - done < 4096 ? len - done : 4096;

		if (into) {
			err = copy_from_user(bounce, ubuf + done, n);
			if (!err)
				err = vm_write(s, va + done, bounce, n, 0);
		} else {
			err = vm_read(s, va + done, bounce, n);
			if (!err)
				err = copy_to_user(ubuf + done, bounce, n);
		}
		done += n;
	}
	if (pa)
		frame_put(pa);
	return err;
}

static long space_copy(long space, uint64_t va, uintptr_t buf, size_t len,
		       uint32_t need, bool into)
{
	struct vmspace *s;
	int err = uaccess_range_ok(buf, len) || !len ? 0 : -NH_EFAULT;

	if (!err)
		err = space_ref(space, need, &s);
	if (err)
		return err;
	err = copy_between(s, va, buf, len, into);
	vm_put(s);
	return err;
}

long sys_space_read(long space, uint64_t va, uintptr_t buf, size_t len)
{
	return space_copy(space, va, buf, len, NH_RIGHT_READ, false);
}

long sys_space_write(long space, uint64_t va, uintptr_t buf, size_t len)
{
	return space_copy(space, va, buf, len, NH_RIGHT_WRITE, true);
}

long sys_space_stat(long space, uintptr_t out)
{
	struct nh_space_stat st;
	struct vmspace *s;
	int err = space_ref(space, NH_RIGHT_READ, &s);

	if (err)
		return err;
	vm_stat(s, &st);
	vm_put(s);
	return copy_to_user(out, &st, sizeof(st)) ? -NH_EFAULT : 0;
}

long sys_space_limit(long space, uint64_t pages)
{
	struct vmspace *s;
	int err = space_ref(space, NH_RIGHT_CONTROL, &s);

	if (err)
		return err;
	vm_set_limit(s, pages);
	vm_put(s);
	return 0;
}

long sys_memobj_create(size_t size)
{
	int err;
	struct memobj *o = memobj_create(size, &err);

	return o ? handle_give(NH_OBJ_MEMOBJ, o, NEW_RIGHTS) : err;
}

/* Copy @len bytes between the caller's @ubuf and object @h at @off, a
 * page at a time (memobj_copy_page). */
static long memobj_copy(long h, uint64_t off, uintptr_t ubuf, size_t len, bool into)
{
	struct memobj *o;
	int err = uaccess_range_ok(ubuf, len) ? 0 : -NH_EFAULT;

	if (!err && off + len < off)
		err = -NH_EINVAL;
	if (!err)
		err = handle_lookup_self(h, NH_OBJ_MEMOBJ, into ? NH_RIGHT_WRITE : NH_RIGHT_READ,
					 (void **)&o);
	if (err)
		return err;
	for (uint64_t done = 0; !err && done < len; ) {
		size_t n = 4096 - (off + done) % 4096;

		n = n < len - done ? n : len - done;
		err = memobj_copy_page(o, off + done, ubuf + done, n, into);
		done += n;
	}
	memobj_put(o);
	return err;
}

long sys_memobj_read(long h, uint64_t off, uintptr_t buf, size_t len)
{
	return memobj_copy(h, off, buf, len, false);
}

long sys_memobj_write(long h, uint64_t off, uintptr_t buf, size_t len)
{
	return memobj_copy(h, off, buf, len, true);
}

long sys_memobj_punch(long h, uint64_t off, uint64_t len)
{
	struct memobj *o;
	int err = handle_lookup_self(h, NH_OBJ_MEMOBJ, NH_RIGHT_WRITE, (void **)&o);

	if (err)
		return err;
	err = memobj_punch(o, off, len);
	memobj_put(o);
	return err;
}

long sys_initrd_open(uintptr_t upath)
{
	char path[128];
	long len = copy_str_from_user(path, upath, sizeof(path));
	struct memobj *o;
	int err;

	if (len < 0)
		return len == -NH_E2BIG ? -NH_ENAMETOOLONG : len;
	o = memobj_open_initramfs(path, &err);
	return o ? handle_give(NH_OBJ_MEMOBJ, o, INITRD_RIGHTS) : err;
}

long sys_initrd_archive(uintptr_t ulen)
{
	size_t len = 0;
	bool in_place;
	struct memobj *o = initramfs_object(&len, &in_place);
	uint64_t n = len;
	long h;

	if (!o)
		return -NH_ENOENT;
	if (copy_to_user(ulen, &n, sizeof(n))) {
		memobj_put(o);
		return -NH_EFAULT;
	}
	h = handle_give(NH_OBJ_MEMOBJ, o, INITRD_RIGHTS);	/* takes o, even failing */
	return h;
}

long sys_space_set_brk(long space, uintptr_t start)
{
	struct vmspace *s;
	int err = space_ref(space, NH_RIGHT_MAP, &s);

	if (err)
		return err;
	err = vm_set_brk(s, start);
	vm_put(s);
	return err;
}

long sys_brk(uint64_t end)
{
	struct task *t = task_current();

	return t->space ? (long)vm_brk(t->space, end) : -NH_EINVAL;
}
