/*
 * Pipes (fs.h): each a ring in a memory object of its own (struct
 * nh_pipe_ring, lib/nhproto.h), which this server makes at pipe2 and
 * maps shared, and which every process with an end open maps too: the
 * processes' C libraries (lib/posix/pipe.c) move the bytes and wait for
 * each other on futexes in the ring, so a read or write of a pipe is no
 * request here.  This server keeps what the ring cannot know for itself:
 * how many descriptions are open on each end (the ends' counts, from
 * which a reader sees end of file and a writer EPIPE), each end's
 * O_NONBLOCK, and the locks of a process that died holding one (freed
 * when its table goes).  A read or write request on a pipe (a process
 * that has not mapped the ring yet: after an exec, say) gets "the ring
 * is yours" (read's file 2, write's ring 1), and pipe_ring gives it.
 * The object goes, its pages back to the kernel, at the last close.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>

#include <nuthatch/errno.h>
#include <nuthatch/handle.h>

#include "fs.h"
#include "nuthatch.h"
#include "proto/fs_server.h"

struct pipe_node {
	struct fs_pipe pipe;
	struct pipe_node *next;		/* every pipe, for fs_pipe_drop_pid */
};

static struct pool pipes = POOL_INIT(struct pipe_node);
static struct pipe_node *all;
static uint64_t next_ino = 1;

long fs_pipe_init(void)
{
	return pool_reserve(&pipes, 128) ? -NH_ENOMEM : 0;
}

/* A new ring: its object, mapped here; 0 or -NH_E*. */
static long ring_new(struct fs_pipe *p)
{
	long obj = nh_memobj_create(NH_PIPE_OBJECT), va;

	if (obj < 0)
		return obj;
	va = nh_map(NH_SELF_SPACE, 0, NH_PIPE_OBJECT, NH_PROT_READ | NH_PROT_WRITE,
		    NH_MAP_SHARED, obj, 0);
	if (va < 0) {
		nh_handle_close(obj);
		return va;
	}
	p->obj = obj;
	p->ends = (struct nh_pipe_ends *)va;
	p->ring = (struct nh_pipe_ring *)(va + NH_PIPE_RING);
	*p->ends = (struct nh_pipe_ends){ .readers = 1, .writers = 1 };
	return 0;
}

static void ring_free(struct fs_pipe *p)
{
	nh_space_unmap(NH_SELF_SPACE, (uint64_t)p->ends, NH_PIPE_OBJECT);
	nh_handle_close(p->obj);
}

long fs_pipe_new(struct fs_file **rd, struct fs_file **wr, uint32_t nonblock)
{
	struct pipe_node *pn = pool_get(&pipes);
	long err = pn ? ring_new(&pn->pipe) : -NH_ENOMEM;

	*rd = err ? 0 : fs_file_new(0, O_RDONLY | nonblock);
	*wr = *rd ? fs_file_new(0, O_WRONLY | nonblock) : 0;
	if (!*wr) {
		if (*rd)
			fs_file_put(*rd);
		if (!err)
			ring_free(&pn->pipe);
		pool_put(&pipes, pn);
		return err ? err : -NH_ENOMEM;
	}
	pn->pipe.readers = pn->pipe.writers = 1;
	pn->pipe.ino = next_ino++;
	pn->pipe.ends->nonblock[0] = pn->pipe.ends->nonblock[1] = !!nonblock;
	(*rd)->pipe = (*wr)->pipe = &pn->pipe;
	pn->next = all;
	all = pn;
	fs_srv.npipes++;
	return 0;
}

void fs_pipe_stat(const struct fs_pipe *p, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 2;		/* pipes are a file system of their own, as Linux's pipefs */
	st->st_ino = p->ino;
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
}

uint32_t fs_pipe_held(const struct fs_pipe *p)
{
	uint32_t n = __atomic_load_n(&p->ring->tail, __ATOMIC_ACQUIRE) -
		     __atomic_load_n(&p->ring->head, __ATOMIC_ACQUIRE);

	return n < NH_PIPE_SIZE ? n : NH_PIPE_SIZE;	/* (the users' page may lie) */
}

void fs_pipe_set_nonblock(struct fs_file *f)
{
	int end = (f->flags & O_ACCMODE) == O_WRONLY;

	__atomic_store_n(&f->pipe->ends->nonblock[end], !!(f->flags & O_NONBLOCK),
			 __ATOMIC_SEQ_CST);
}

long fs_srv_pipe_ring(struct srv_req *r, int32_t fd, uint32_t *end, uint64_t *ino, long *ring,
		      uint32_t *ring_rights)
{
	struct fs_file *f = fs_fd_get(FS_CLIENT(r), fd);

	if (!f || !f->pipe)
		return -NH_EBADF;
	*end = (f->flags & O_ACCMODE) == O_WRONLY;
	*ino = f->pipe->ino;
	*ring = f->pipe->obj;
	*ring_rights = NH_RIGHT_READ | NH_RIGHT_WRITE | NH_RIGHT_MAP;
	return 0;
}

/* The ring's sleepers on side @i woken: its state changed under them. */
static void wake(struct nh_pipe_ring *g, int i)
{
	__atomic_fetch_add(&g->seq[i], 1, __ATOMIC_SEQ_CST);
	nh_futex_wake(&g->seq[i], INT_MAX);
}

static void pipe_free(struct fs_pipe *p)
{
	struct pipe_node **pp = &all, *pn;

	while (&(*pp)->pipe != p)
		pp = &(*pp)->next;
	pn = *pp;
	*pp = pn->next;
	ring_free(p);
	fs_srv.npipes--;
	pool_put(&pipes, pn);
}

void fs_pipe_close_end(struct fs_pipe *p, int writer)
{
	struct nh_pipe_ring *g = p->ring;

	if (writer && !--p->writers) {
		__atomic_store_n(&p->ends->writers, 0, __ATOMIC_SEQ_CST);
		wake(g, 0);	/* readers: end of file once the ring is empty */
	}
	if (!writer && !--p->readers) {
		__atomic_store_n(&p->ends->readers, 0, __ATOMIC_SEQ_CST);
		wake(g, 1);	/* writers: EPIPE */
	}
	if (!p->readers && !p->writers)
		pipe_free(p);
}

/* Side @i's lock, if dead @pid held it, freed and its sleepers woken. */
static void free_lock(struct nh_pipe_ring *g, int i, int32_t pid)
{
	uint32_t v = __atomic_load_n(&g->lock[i], __ATOMIC_SEQ_CST);

	if ((v & ~NH_PIPE_WAITERS) != (uint32_t)pid)
		return;
	if (__atomic_compare_exchange_n(&g->lock[i], &v, 0, 0, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		nh_futex_wake(&g->lock[i], INT_MAX);
}

/* @pid ended (every thread of it): a side's lock it held is free again.
 * What it was copying never showed (head and tail move after the copy),
 * so the ring is whole for the others. */
void fs_pipe_drop_pid(int32_t pid)
{
	for (struct pipe_node *pn = all; pn; pn = pn->next) {
		free_lock(pn->pipe.ring, 0, pid);
		free_lock(pn->pipe.ring, 1, pid);
	}
}
