/*
 * Clients and their descriptor tables (fs.h).  The tables live here, in
 * the file server, not in each process (MINIX's VFS does the same): a
 * description shared by two processes after a fork is one struct here,
 * so its offset, its flags and a pipe end's last close (EOF, EPIPE) are
 * exact without any process's cooperation, and a process that dies
 * cannot leave a description half closed.  The process server tells
 * this one of every fork, exec and exit (ctl_*, before the child runs,
 * before the new image runs, before the parent can reap).
 *
 * A table holds FS_FD_INLINE slots in itself and grows to FS_FD_MAX,
 * mapped, while a descriptor past the inline ones is open (so its pages
 * go back to the kernel when the last of those closes); EMFILE past
 * FS_FD_MAX.
 */
#include <string.h>
#include <sys/mman.h>

#include <nuthatch/errno.h>

#include "fs.h"

#define HASH	256	/* buckets of the pid hash (a power of two) */

static struct pool clients = POOL_INIT(struct fs_client);
static struct pool tables = POOL_INIT(struct fs_table);
static struct fs_client *hash[HASH];

long fs_table_init(void)
{
	return pool_reserve(&clients, 256) || pool_reserve(&tables, 256) ? -NH_ENOMEM : 0;
}

static struct fs_client **bucket(int32_t pid)
{
	return &hash[(uint32_t)pid & (HASH - 1)];
}

struct fs_client *fs_client_find(int32_t pid)
{
	struct fs_client *c = *bucket(pid);

	while (c && c->pid != pid)
		c = c->hash_next;
	return c;
}

static struct fs_table *table_new(void)
{
	struct fs_table *t = pool_get(&tables);

	if (!t)
		return 0;
	t->refs = 1;
	t->nslots = FS_FD_INLINE;
	t->slots = t->inline_slots;
	fs_srv.ntables++;
	return t;
}

static void table_put(struct fs_table *t)
{
	if (--t->refs)
		return;
	for (uint32_t i = 0; i < t->nslots; i++)
		fs_file_put(t->slots[i].file);
	if (t->slots != t->inline_slots)
		munmap(t->slots, FS_FD_MAX * sizeof(struct fs_fd));
	fs_srv.ntables--;
	pool_put(&tables, t);
}

/* Room for FS_FD_MAX descriptors: 0 or -NH_EMFILE (no memory: Linux
 * says EMFILE there too, for a table it cannot expand). */
static long table_grow(struct fs_table *t)
{
	struct fs_fd *big;

	if (t->nslots == FS_FD_MAX)
		return -NH_EMFILE;
	big = mmap(0, FS_FD_MAX * sizeof(struct fs_fd), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED)
		return -NH_EMFILE;
	memcpy(big, t->slots, t->nslots * sizeof(struct fs_fd));
	t->slots = big;
	t->nslots = FS_FD_MAX;
	return 0;
}

/* Slot @i of @t becomes @v (a file or none), nhigh kept. */
static void slot_set(struct fs_table *t, uint32_t i, struct fs_fd v)
{
	if (i >= FS_FD_INLINE)
		t->nhigh += (v.file != 0) - (t->slots[i].file != 0);
	t->slots[i] = v;
}

/* Back to the inline slots once nothing past them is open. */
static void table_shrink(struct fs_table *t)
{
	struct fs_fd *big = t->slots;

	if (big == t->inline_slots || t->nhigh)
		return;
	memcpy(t->inline_slots, big, sizeof(t->inline_slots));
	t->slots = t->inline_slots;
	t->nslots = FS_FD_INLINE;
	munmap(big, FS_FD_MAX * sizeof(struct fs_fd));
}

/* A copy of @from: every description shared, the close-on-exec flags too. */
static struct fs_table *table_copy(struct fs_table *from)
{
	struct fs_table *t = table_new();

	if (!t)
		return 0;
	if (from->nslots > t->nslots && table_grow(t)) {
		table_put(t);
		return 0;
	}
	for (uint32_t i = 0; i < from->nslots; i++) {
		slot_set(t, i, from->slots[i]);
		if (t->slots[i].file)
			fs_file_get(t->slots[i].file);
	}
	return t;
}

long fs_table_fork(int32_t parent, int32_t child, uint32_t share)
{
	struct fs_client *p = parent ? fs_client_find(parent) : 0, *c;

	if ((parent && !p) || child <= 0)
		return -NH_ESRCH;
	if (fs_client_find(child))
		return -NH_EEXIST;
	c = pool_get(&clients);
	if (!c)
		return -NH_ENOMEM;
	if (p && share) {
		c->table = p->table;
		c->table->refs++;
	} else {
		c->table = p ? table_copy(p->table) : table_new();
	}
	if (!c->table) {
		pool_put(&clients, c);
		return -NH_ENOMEM;
	}
	c->pid = child;
	c->cwd = p ? p->cwd : fs_root();
	c->umask = p ? p->umask : 022;
	fs_node_get(c->cwd);
	c->hash_next = *bucket(child);
	*bucket(child) = c;
	fs_srv.nclients++;
	return 0;
}

void fs_table_exec(struct fs_client *c)
{
	struct fs_table *t = c->table;

	for (uint32_t i = 0; i < t->nslots; i++)
		if (t->slots[i].file && t->slots[i].cloexec) {
			fs_file_put(t->slots[i].file);
			slot_set(t, i, (struct fs_fd){ 0 });
		}
	table_shrink(t);
}

void fs_table_exit(struct fs_client *c)
{
	struct fs_client **pp = bucket(c->pid);

	while (*pp != c)
		pp = &(*pp)->hash_next;
	*pp = c->hash_next;
	fs_pipe_drop_pid(c->pid);
	fs_procfs_drop_pid(c->pid);
	table_put(c->table);
	fs_node_put(c->cwd);
	fs_srv.nclients--;
	pool_put(&clients, c);
}

struct fs_fd *fs_fd_slot(struct fs_client *c, int32_t fd)
{
	struct fs_table *t = c->table;

	return fd >= 0 && (uint32_t)fd < t->nslots && t->slots[fd].file ? &t->slots[fd] : 0;
}

struct fs_file *fs_fd_get(struct fs_client *c, int32_t fd)
{
	struct fs_fd *s = fs_fd_slot(c, fd);

	return s ? s->file : 0;
}

long fs_fd_install(struct fs_client *c, struct fs_file *f, int32_t min, uint32_t cloexec)
{
	struct fs_table *t = c->table;
	uint32_t i = min < 0 ? 0 : (uint32_t)min;

	if (i >= FS_FD_MAX)
		return -NH_EINVAL;
	for (;; i++) {
		if (i >= t->nslots && table_grow(t))
			return -NH_EMFILE;
		if (!t->slots[i].file)
			break;
	}
	fs_file_get(f);
	slot_set(t, i, (struct fs_fd){ .file = f, .cloexec = cloexec });
	return i;
}

long fs_fd_install_at(struct fs_client *c, struct fs_file *f, int32_t fd, uint32_t cloexec)
{
	struct fs_table *t = c->table;
	struct fs_file *old;

	if (fd < 0 || fd >= FS_FD_MAX)
		return -NH_EBADF;
	if ((uint32_t)fd >= t->nslots && table_grow(t))
		return -NH_EMFILE;
	old = t->slots[fd].file;
	fs_file_get(f);
	slot_set(t, (uint32_t)fd, (struct fs_fd){ .file = f, .cloexec = cloexec });
	fs_file_put(old);	/* last: it may be @f itself */
	return 0;
}

long fs_fd_close(struct fs_client *c, int32_t fd)
{
	struct fs_fd *s = fs_fd_slot(c, fd);
	struct fs_file *f;

	if (!s)
		return -NH_EBADF;
	f = s->file;
	slot_set(c->table, (uint32_t)fd, (struct fs_fd){ 0 });
	fs_file_put(f);
	table_shrink(c->table);
	return 0;
}
