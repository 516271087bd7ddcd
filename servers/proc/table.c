/*
 * The process table (proc.h): structs from a pool (pool.c), a pid hash to find
 * them, and the parent/child tree as doubly linked sibling lists so that
 * unlinking is O(1).
 */
#include <string.h>

#include "proc.h"

#define HASH_SIZE	1024	/* power of two */

static struct proc *hash[HASH_SIZE];

static struct proc **bucket(int32_t pid)
{
	return &hash[(uint32_t)pid & (HASH_SIZE - 1)];
}

static struct pool procs = POOL_INIT(struct proc);
static struct pool waiters = POOL_INIT(struct proc_waiter);

int proc_table_init(unsigned reserve)
{
	memset(hash, 0, sizeof(hash));	/* its pages present from the start */
	return pool_reserve(&procs, reserve) || pool_reserve(&waiters, reserve) ? -1 : 0;
}

struct proc *proc_new(void)
{
	return pool_get(&procs);
}

void proc_discard(struct proc *p)
{
	pool_put(&procs, p);
}

struct proc_waiter *proc_waiter_new(void)
{
	return pool_get(&waiters);
}

void proc_waiter_free(struct proc_waiter *w)
{
	pool_put(&waiters, w);
}

struct proc *proc_find(int32_t pid)
{
	struct proc *p = pid > 0 ? *bucket(pid) : 0;

	while (p && p->pid != pid)
		p = p->hash_next;
	return p;
}

static void link_child(struct proc *p, struct proc *parent)
{
	p->parent = parent;
	p->sib_prev = 0;
	p->sib_next = parent->children;
	if (parent->children)
		parent->children->sib_prev = p;
	parent->children = p;
}

static void unlink_child(struct proc *p)
{
	if (p->sib_prev)
		p->sib_prev->sib_next = p->sib_next;
	else if (p->parent)
		p->parent->children = p->sib_next;
	if (p->sib_next)
		p->sib_next->sib_prev = p->sib_prev;
	p->parent = p->sib_next = p->sib_prev = 0;
}

void proc_insert(struct proc *p, struct proc *parent)
{
	struct proc **b = bucket(p->pid);

	p->hash_next = *b;
	*b = p;
	if (parent)
		link_child(p, parent);
	proc_srv.nprocs++;
}

void proc_release(struct proc *p)
{
	struct proc **b = bucket(p->pid);

	while (*b != p)
		b = &(*b)->hash_next;
	*b = p->hash_next;
	unlink_child(p);
	pid_free(p->pid);
	proc_srv.nprocs--;
	pool_put(&procs, p);
}

/* Orphans go to init, which reaps them; a zombie among them may
 * satisfy a wait init has pending. */
void proc_reparent_children(struct proc *p)
{
	struct proc *init = proc_find(PROC_INIT_PID);
	int zombie = 0;

	while (p->children) {
		struct proc *c = p->children;

		unlink_child(c);
		zombie |= c->state == PROC_ZOMBIE;
		link_child(c, init);
	}
	if (zombie)
		proc_wake_waiters(init);
}

void proc_each(void (*fn)(struct proc *, void *), void *arg)
{
	for (unsigned i = 0; i < HASH_SIZE; i++)
		for (struct proc *p = hash[i]; p; p = p->hash_next)
			fn(p, arg);
}

int proc_any(int (*pred)(const struct proc *, const void *), const void *arg)
{
	for (unsigned i = 0; i < HASH_SIZE; i++)
		for (struct proc *p = hash[i]; p; p = p->hash_next)
			if (pred(p, arg))
				return 1;
	return 0;
}
