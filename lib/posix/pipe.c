/*
 * Pipes' bytes, moved here rather than by the file server: each pipe is
 * a ring in a memory object (struct nh_pipe_ring, lib/nhproto.h, whose
 * comment says who writes what), mapped shared by every process with an
 * end open.  A read takes the read side's lock, copies what the ring
 * holds (at most what was asked) and moves head; a write takes the write
 * side's, waits for room for all of a write of PIPE_BUF or less (so it is
 * atomic) and copies before it moves tail.  An empty ring is end of file
 * once no writer is left; a write with no reader is EPIPE.  Sleeps are
 * futex waits on the ring's words, which the other side wakes only when
 * it sees a sleeper.
 *
 * This process's view: which descriptors are ends of which mapped ring
 * (fds[]), learnt at pipe2 or, for descriptors it came with (an exec),
 * when the file server answers a read or write with "the ring is yours";
 * dup, dup2, dup3 and F_DUPFD copy an entry, close drops it, and a ring
 * is unmapped when no descriptor here is on it.  fork copies all of it
 * (the mappings are shared ones).
 */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <nuthatch/errno.h>
#include <nuthatch/handle.h>

#include "nhproto.h"
#include "nuthatch.h"
#include "posix.h"
#include "proto/fs.h"

#define FDS		1024	/* the file server's FS_FD_MAX */
#define MAPS		255	/* rings mapped here at once at most (past them:
				   ENFILE) */
#define ATOMIC_MAX	4096u	/* PIPE_BUF */

struct map {
	struct nh_pipe_ring *ring;	/* 0: free */
	uint64_t ino;			/* the pipe's (fstat's) */
	uint32_t fds;			/* descriptors here on it */
};

struct end {
	uint8_t map;			/* its map's index + 1; 0: not a known ring */
	uint8_t write;			/* the write end */
};

static struct map maps[MAPS];
static struct end fds[FDS];

/* The lock owner's name: this process's pid (the file server frees a
 * dead one's locks by it).  fork's child forgets it (process.c); a vfork
 * child asks each time, since it shares the parent's memory. */
int32_t __nh_ring_pid;
extern int __nh_vforked;

static inline uint32_t me(void)
{
	if (__nh_vforked)
		return (uint32_t)getpid();
	if (!__nh_ring_pid)
		__nh_ring_pid = getpid();
	return (uint32_t)__nh_ring_pid;
}

/* ---- the side locks ------------------------------------------------- */

static int cas(uint32_t *w, uint32_t old, uint32_t new)
{
	return __atomic_compare_exchange_n(w, &old, new, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* The lock held by another: wait for it (0), or -NH_EINTR. */
static __attribute__((noinline)) long lock_wait(uint32_t *w, uint32_t self)
{
	uint32_t v;

	for (;;) {
		v = __atomic_load_n(w, __ATOMIC_SEQ_CST);
		if (!v && cas(w, 0, self | NH_PIPE_WAITERS))
			return 0;
		if (!v || (!(v & NH_PIPE_WAITERS) && !cas(w, v, v | NH_PIPE_WAITERS)))
			continue;
		if (nh_futex_wait(w, v | NH_PIPE_WAITERS, 0) == -NH_EINTR)
			return -NH_EINTR;
	}
}

/* Side @i's lock: 0, -NH_EAGAIN (@nonblock and held), -NH_EINTR. */
static inline long lock(struct nh_pipe_ring *g, int i, int nonblock)
{
	uint32_t *w = &g->lock[i], self = me();

	if (cas(w, 0, self))
		return 0;
	return nonblock ? -NH_EAGAIN : lock_wait(w, self);
}

static void unlock(struct nh_pipe_ring *g, int i)
{
	if (__atomic_exchange_n(&g->lock[i], 0, __ATOMIC_SEQ_CST) & NH_PIPE_WAITERS)
		nh_futex_wake(&g->lock[i], 1);
}

/* ---- sleeping and waking ---------------------------------------------- */

/* A word another side or the file server writes (acquire: what it wrote
 * before is seen; the sleep and wake words take their own order). */
static int count(uint32_t *w)
{
	return (int)__atomic_load_n(w, __ATOMIC_ACQUIRE);
}

/* Sleep on side @i's seq while @still(g, @want) holds: 0, or -NH_EINTR. */
static long sleep_on(struct nh_pipe_ring *g, int i, int (*still)(struct nh_pipe_ring *, size_t),
		     size_t want)
{
	uint32_t seq;
	long r = 0;

	__atomic_fetch_add(&g->sleepers[i], 1, __ATOMIC_SEQ_CST);
	seq = __atomic_load_n(&g->seq[i], __ATOMIC_SEQ_CST);
	if (still(g, want))
		r = nh_futex_wait(&g->seq[i], seq, 0);
	else	/* no sleep after all: our count back out, unless a waker took it */
		for (uint32_t v = count(&g->sleepers[i]); v && !cas(&g->sleepers[i], v, v - 1);)
			v = count(&g->sleepers[i]);
	return r == -NH_EINTR ? r : 0;
}

/* The sleepers' count taken (to 0: they are woken, a write after this
 * one need not wake them again) and, if there were any, woken. */
static __attribute__((noinline)) void wake_sleepers(struct nh_pipe_ring *g, int i)
{
	if (!__atomic_exchange_n(&g->sleepers[i], 0, __ATOMIC_SEQ_CST))
		return;
	__atomic_fetch_add(&g->seq[i], 1, __ATOMIC_SEQ_CST);
	nh_futex_wake(&g->seq[i], INT_MAX);
}

/* The other side's sleepers on @i, if any, woken. */
static inline void wake(struct nh_pipe_ring *g, int i)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the bytes' store before the look */
	if (__atomic_load_n(&g->sleepers[i], __ATOMIC_RELAXED))
		wake_sleepers(g, i);
}

/* The file server's page, read-only here, just before the ring's. */
static const struct nh_pipe_ends *ends(const struct nh_pipe_ring *g)
{
	return (const struct nh_pipe_ends *)((const uint8_t *)g - NH_PIPE_RING);
}

/* Bytes in the ring: at most NH_PIPE_SIZE, or BAD (a corrupt header,
 * which another user of the pipe wrote). */
#define BAD	0xffffffffu
static uint32_t held(struct nh_pipe_ring *g)
{
	uint32_t n = __atomic_load_n(&g->tail, __ATOMIC_ACQUIRE) - g->head;

	return n <= NH_PIPE_SIZE ? n : BAD;
}

static uint32_t room(struct nh_pipe_ring *g)
{
	uint32_t used = g->tail - __atomic_load_n(&g->head, __ATOMIC_ACQUIRE);

	return used <= NH_PIPE_SIZE ? NH_PIPE_SIZE - used : BAD;
}

static int empty_with_writers(struct nh_pipe_ring *g, size_t want)
{
	(void)want;
	return !held(g) && count((uint32_t *)&ends(g)->writers);
}

static int short_with_readers(struct nh_pipe_ring *g, size_t want)
{
	return room(g) < want && count((uint32_t *)&ends(g)->readers);
}

/* ---- the bytes ------------------------------------------------------- */

static uint8_t *bytes(struct nh_pipe_ring *g)
{
	return (uint8_t *)g - NH_PIPE_RING + NH_PIPE_DATA;
}

static inline long take(struct nh_pipe_ring *g, void *buf, size_t n)
{
	uint32_t at = g->head % NH_PIPE_SIZE, first, h = held(g);

	if (h == BAD)
		return -NH_EIO;
	if (n > h)
		n = h;
	first = NH_PIPE_SIZE - at < n ? NH_PIPE_SIZE - at : (uint32_t)n;
	memcpy(buf, bytes(g) + at, first);
	if (n > first)	/* (wrapped) */
		memcpy((uint8_t *)buf + first, bytes(g), n - first);
	__atomic_store_n(&g->head, g->head + (uint32_t)n, __ATOMIC_RELEASE);
	wake(g, 1);
	return (long)n;
}

static inline void put(struct nh_pipe_ring *g, const void *buf, size_t n)
{
	uint32_t at = g->tail % NH_PIPE_SIZE;
	uint32_t first = NH_PIPE_SIZE - at < n ? NH_PIPE_SIZE - at : (uint32_t)n;

	memcpy(bytes(g) + at, buf, first);
	if (n > first)
		memcpy(bytes(g), (const uint8_t *)buf + first, n - first);
	__atomic_store_n(&g->tail, g->tail + (uint32_t)n, __ATOMIC_RELEASE);
	wake(g, 0);
}

/* An empty ring, the read lock held: wait for bytes (then take up to
 * @n) or the end (0); -NH_EAGAIN, -NH_EINTR. */
static __attribute__((noinline)) long read_wait(struct nh_pipe_ring *g, void *buf, size_t n,
						 int nonblock)
{
	long r = 0;

	while (!r) {
		if (held(g))
			return take(g, buf, n);
		if (!count((uint32_t *)&ends(g)->writers))
			return 0;	/* end of file */
		r = nonblock ? -NH_EAGAIN : sleep_on(g, 0, empty_with_writers, 0);
	}
	return r;
}

/* What the ring holds, up to @n; 0 at end of file; -NH_EAGAIN, -NH_EINTR. */
static inline long ring_read(struct nh_pipe_ring *g, void *buf, size_t n)
{
	int nonblock = count((uint32_t *)&ends(g)->nonblock[0]);
	long r = n ? lock(g, 0, nonblock) : 0;

	if (r || !n)
		return r;
	r = held(g) ? take(g, buf, n) : read_wait(g, buf, n, nonblock);
	unlock(g, 0);
	return r;
}

/* The write lock held: all @n bytes in (a write of PIPE_BUF or less at
 * once), or as many as went before an error; the error if none did
 * (EPIPE, EAGAIN, EINTR). */
static __attribute__((noinline)) long write_wait(struct nh_pipe_ring *g, const void *buf,
						  size_t n, int nonblock)
{
	size_t done = 0, need = n <= ATOMIC_MAX ? n : 1;
	long r = 0;

	while (done < n) {
		size_t k = room(g);

		if (k == BAD) {
			r = -NH_EIO;
			break;
		}
		if (!count((uint32_t *)&ends(g)->readers)) {
			r = -NH_EPIPE;
			break;
		}
		if (k >= need) {
			k = k < n - done ? k : n - done;
			put(g, (const uint8_t *)buf + done, k);
			done += k;
			need = 1;	/* (only the rest of a large one is left) */
			continue;
		}
		r = nonblock ? -NH_EAGAIN : sleep_on(g, 1, short_with_readers, need);
		if (r)
			break;
	}
	return done ? (long)done : r;
}

static inline long ring_write(struct nh_pipe_ring *g, const void *buf, size_t n)
{
	int nonblock = count((uint32_t *)&ends(g)->nonblock[1]);
	long r = lock(g, 1, nonblock);
	uint32_t k;

	if (r)
		return r;
	k = room(g);
	if (k != BAD && n <= k && count((uint32_t *)&ends(g)->readers)) {	/* all fits now */
		put(g, buf, n);
		r = (long)n;
	} else {
		r = write_wait(g, buf, n, nonblock);
	}
	unlock(g, 1);
	return r;
}

/* ---- this process's descriptors and mappings ------------------------ */

/* Set in a vfork child (vfork.S), which runs in its parent's memory: it
 * must not change the tables, so it maps a ring for each call alone. */
int __nh_vforked;

static struct end *end_of(int fd)
{
	return fd >= 0 && fd < FDS && !__nh_vforked && fds[fd].map ? &fds[fd] : 0;
}

/* @obj (a ring's memory object, closed here) mapped: the file server's
 * page read-only, the rest read-write; the ring's address or -NH_E*. */
static long map_object(long obj)
{
	long va = nh_map(NH_SELF_SPACE, 0, NH_PIPE_OBJECT, NH_PROT_READ, NH_MAP_SHARED, obj, 0);
	long r = va < 0 ? va : nh_space_protect(NH_SELF_SPACE, (uint64_t)va + NH_PIPE_RING,
					       NH_PIPE_OBJECT - NH_PIPE_RING,
					       NH_PROT_READ | NH_PROT_WRITE);

	nh_handle_close(obj);
	if (r < 0 && va >= 0)
		nh_space_unmap(NH_SELF_SPACE, (uint64_t)va, NH_PIPE_OBJECT);
	return r < 0 ? r : va + NH_PIPE_RING;
}

static void unmap_ring(struct nh_pipe_ring *g)
{
	nh_space_unmap(NH_SELF_SPACE, (uint64_t)g - NH_PIPE_RING, NH_PIPE_OBJECT);
}

/* @obj (a ring's memory object, closed here) mapped, or found mapped by
 * @ino: its map index, or -NH_E*. */
static long map_ring(long obj, uint64_t ino)
{
	long va, free_at = -1;

	for (long i = 0; i < MAPS; i++) {
		if (maps[i].ring && maps[i].ino == ino) {
			nh_handle_close(obj);
			return i;
		}
		if (!maps[i].ring && free_at < 0)
			free_at = i;
	}
	if (free_at < 0) {
		nh_handle_close(obj);
		return -NH_ENFILE;
	}
	va = map_object(obj);
	if (va < 0)
		return va;
	maps[free_at] = (struct map){ .ring = (struct nh_pipe_ring *)va, .ino = ino };
	return free_at;
}

static void end_set(int fd, long map, int write)
{
	fds[fd] = (struct end){ .map = (uint8_t)(map + 1), .write = (uint8_t)write };
	maps[map].fds++;
}

void __nh_pipe_close(int fd)
{
	struct end *e = end_of(fd);
	struct map *m;

	if (!e)
		return;
	m = &maps[e->map - 1];
	*e = (struct end){ 0 };
	if (!--m->fds) {
		unmap_ring(m->ring);
		*m = (struct map){ 0 };
	}
}

void __nh_pipe_dup(int old, int new)
{
	struct end *e = end_of(old);

	if (__nh_vforked || new < 0 || new >= FDS || new == old)
		return;
	__nh_pipe_close(new);
	if (e)
		end_set(new, e->map - 1, e->write);
}

void __nh_pipe_made(int rfd, int wfd, uint64_t ino, long obj)
{
	long m;

	if (__nh_vforked || rfd < 0 || wfd < 0 || rfd >= FDS || wfd >= FDS) {
		nh_handle_close(obj);
		return;
	}
	m = map_ring(obj, ino);
	if (m >= 0) {
		end_set(rfd, m, 0);
		end_set(wfd, m, 1);
	}
}

/* A ring the file server says is @fd's: learnt (mapped, recorded); 0 or
 * -NH_E*.  In a vfork child: mapped for @fn alone, then unmapped. */
static long learn(int fd, long (*fn)(struct nh_pipe_ring *, void *, size_t), void *buf,
		  size_t n)
{
	uint32_t end = 0;
	uint64_t ino = 0;
	long obj = 0, r = __nh_fs_buffer(), m, va;

	if (!r)
		r = fs_pipe_ring(NH_FS_HANDLE, fd, &end, &ino, &obj);
	if (r)
		return r;
	if (!__nh_vforked) {
		m = fd < FDS ? map_ring(obj, ino) : -NH_EBADF;
		if (m < 0)
			return m;
		end_set(fd, m, (int)end);
		return fn(maps[m].ring, buf, n);
	}
	va = map_object(obj);
	if (va < 0)
		return va;
	r = fn((struct nh_pipe_ring *)va, buf, n);
	unmap_ring((struct nh_pipe_ring *)va);
	return r;
}

static long do_read(struct nh_pipe_ring *g, void *buf, size_t n)
{
	return ring_read(g, buf, n);
}

static long do_write(struct nh_pipe_ring *g, void *buf, size_t n)
{
	return ring_write(g, buf, n);
}

int __nh_pipe_read(int fd, void *buf, size_t n, long *res)
{
	struct end *e = end_of(fd);

	if (!e || e->write)
		return 0;
	*res = ring_read(maps[e->map - 1].ring, buf, n);
	return 1;
}

int __nh_pipe_write(int fd, const void *buf, size_t n, long *res)
{
	struct end *e = end_of(fd);

	if (!e || !e->write)
		return 0;
	*res = ring_write(maps[e->map - 1].ring, buf, n);
	return 1;
}

long __nh_pipe_learn_read(int fd, void *buf, size_t n)
{
	return learn(fd, do_read, buf, n);
}

long __nh_pipe_learn_write(int fd, const void *buf, size_t n)
{
	return learn(fd, do_write, (void *)buf, n);
}
