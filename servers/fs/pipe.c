/*
 * Pipes (fs.h): a 64 KiB ring mapped when the pipe is made and unmapped
 * with it, so its pages go back to the kernel at the last close.  Every
 * write request carries at most PIPE_BUF bytes (lib/posix/file.c cuts a
 * longer write), so every write is atomic: it goes in whole when there
 * is room for all of it, else it waits (or is EAGAIN under O_NONBLOCK).
 * Blocked reads and writes wait in order on their pipe; each change of
 * the ring serves as many of them as it can.  A blocked call's answer
 * is sent before its bytes move: if its caller is gone (killed), the
 * bytes stay where they were, so an interrupted read loses nothing.
 * The last writer's close ends every blocked read (end of file); the
 * last reader's close fails every blocked write with EPIPE.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include <nuthatch/errno.h>

#include "fs.h"
#include "nuthatch.h"
#include "proto/fs_server.h"

struct pipe_node {
	struct fs_pipe pipe;
	struct pipe_node *next;		/* every pipe, for fs_pipe_drop_pid */
};

static struct pool pipes = POOL_INIT(struct pipe_node);
static struct pool waits = POOL_INIT(struct fs_wait);
static struct pool wbufs = { .size = FS_PIPE_BUF };	/* blocked writes' bytes, not zeroed */
static struct pipe_node *all;
static uint64_t next_ino = 1;
static uint8_t scratch[FS_PIPE_BUF];	/* a blocked read's bytes, unwrapped */

long fs_pipe_init(void)
{
	return pool_reserve(&pipes, 128) || pool_reserve(&waits, 64) || pool_reserve(&wbufs, 16)
	       ? -NH_ENOMEM : 0;
}

struct fs_wait *fs_wait_new(void)
{
	struct fs_wait *w = pool_get(&waits);

	if (w)
		fs_srv.nwaits++;
	return w;
}

void fs_wait_free(struct fs_wait *w)
{
	if (w->reply > 0)
		nh_handle_close(w->reply);
	fs_file_put(w->file);
	if (w->data)
		pool_put(&wbufs, w->data);
	fs_srv.nwaits--;
	pool_put(&waits, w);
}

long fs_pipe_new(struct fs_file **rd, struct fs_file **wr)
{
	struct pipe_node *pn = pool_get(&pipes);
	void *buf;

	if (!pn)
		return -NH_ENOMEM;
	buf = mmap(0, FS_PIPE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*rd = buf == MAP_FAILED ? 0 : fs_file_new(0, O_RDONLY);
	*wr = *rd ? fs_file_new(0, O_WRONLY) : 0;
	if (!*wr) {
		if (*rd)
			fs_file_put(*rd);
		if (buf != MAP_FAILED)
			munmap(buf, FS_PIPE_SIZE);
		pool_put(&pipes, pn);
		return -NH_ENOMEM;
	}
	pn->pipe = (struct fs_pipe){ .buf = buf, .readers = 1, .writers = 1, .ino = next_ino++ };
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

/* Copy @n bytes out of the ring (from its head) into @out, not consuming. */
static void ring_peek(const struct fs_pipe *p, uint8_t *out, uint32_t n)
{
	uint32_t first = FS_PIPE_SIZE - p->head < n ? FS_PIPE_SIZE - p->head : n;

	memcpy(out, p->buf + p->head, first);
	memcpy(out + first, p->buf, n - first);
}

static void ring_consume(struct fs_pipe *p, uint32_t n)
{
	p->head = (p->head + n) % FS_PIPE_SIZE;
	p->len -= n;
}

static void ring_put(struct fs_pipe *p, const uint8_t *in, uint32_t n)
{
	uint32_t tail = (p->head + p->len) % FS_PIPE_SIZE;
	uint32_t first = FS_PIPE_SIZE - tail < n ? FS_PIPE_SIZE - tail : n;

	memcpy(p->buf + tail, in, first);
	memcpy(p->buf, in + first, n - first);
	p->len += n;
}

static struct fs_wait *pop(struct fs_wait **list)
{
	struct fs_wait *w = *list;

	*list = w->next;
	return w;
}

static void push(struct fs_wait **list, struct fs_wait *w)
{
	while (*list)
		list = &(*list)->next;
	w->next = 0;
	*list = w;
}

/* A finished wait onto @done: freed (its file let go) only once the
 * pipe is no longer in use, since that may close the pipe's last end. */
static void finish(struct fs_wait *w, struct fs_wait **done)
{
	w->reply = 0;	/* answered, or its caller is gone */
	w->next = *done;
	*done = w;
}

static void free_all(struct fs_wait *done)
{
	while (done)
		fs_wait_free(pop(&done));
}

/* Serve the first blocked read from the ring: 1 if one went. */
static int serve_read(struct fs_pipe *p, struct fs_wait **done)
{
	struct fs_wait *w = p->reads;
	uint32_t n;

	if (!w || !p->len)
		return 0;
	n = w->count < p->len ? w->count : p->len;
	ring_peek(p, scratch, n);
	if (!fs_srv_read_answer(&fs_srv.srv, w->reply, 0, scratch, n))
		ring_consume(p, n);
	finish(pop(&p->reads), done);
	return 1;
}

static int serve_write(struct fs_pipe *p, struct fs_wait **done)
{
	struct fs_wait *w = p->writes;

	if (!w || FS_PIPE_SIZE - p->len < w->count)
		return 0;
	if (!fs_srv_write_answer(&fs_srv.srv, w->reply, w->count))
		ring_put(p, w->data, w->count);
	finish(pop(&p->writes), done);
	return 1;
}

/* As many blocked calls as the ring allows; @p may be gone after. */
static void serve(struct fs_pipe *p)
{
	struct fs_wait *done = 0;

	while (serve_read(p, &done) || serve_write(p, &done))
		;
	free_all(done);
}

/* A blocked call on @f from @r: saved, waiting on @list.  0 or -NH_E*. */
static long block(struct srv_req *r, struct fs_file *f, struct fs_wait **list,
		  uint32_t count, const void *data)
{
	struct fs_wait *w = fs_wait_new();

	if (!w)
		return -NH_ENOMEM;
	w->reply = srv_defer(r);
	if (w->reply < 0) {
		long err = w->reply;

		w->reply = 0;
		fs_wait_free(w);
		return err;
	}
	if (data && !(w->data = pool_take(&wbufs))) {
		srv_answer_error(&fs_srv.srv, w->reply, -NH_ENOMEM);
		w->reply = 0;
		fs_wait_free(w);
		return 0;	/* (answered) */
	}
	w->pid = FS_CLIENT(r)->pid;
	w->file = f;
	fs_file_get(f);
	w->count = count;
	if (data)
		memcpy(w->data, data, count);
	push(list, w);
	return 0;
}

long fs_pipe_read(struct srv_req *r, struct fs_file *f, uint32_t count, void *out, size_t *out_len)
{
	struct fs_pipe *p = f->pipe;
	uint32_t n;

	if ((f->flags & O_ACCMODE) != O_RDONLY)
		return -NH_EBADF;
	if (!count) {
		*out_len = 0;
		return 0;
	}
	if (!p->len) {
		*out_len = 0;
		if (!p->writers)
			return 0;	/* end of file */
		return f->flags & O_NONBLOCK ? -NH_EAGAIN : block(r, f, &p->reads, count, 0);
	}
	n = count < p->len ? count : p->len;
	ring_peek(p, out, n);
	ring_consume(p, n);
	*out_len = n;
	serve(p);
	return 0;
}

long fs_pipe_write(struct srv_req *r, struct fs_file *f, const void *data, size_t len,
		   uint32_t *done)
{
	struct fs_pipe *p = f->pipe;

	if ((f->flags & O_ACCMODE) != O_WRONLY)
		return -NH_EBADF;
	if (!p->readers)
		return -NH_EPIPE;	/* SIGPIPE comes with signals */
	*done = (uint32_t)len;
	if (!len)
		return 0;
	if (p->writes || FS_PIPE_SIZE - p->len < len)
		return f->flags & O_NONBLOCK ? -NH_EAGAIN
					     : block(r, f, &p->writes, (uint32_t)len, data);
	ring_put(p, data, (uint32_t)len);
	serve(p);
	return 0;
}

/* Every blocked call of @list answered with @err (0: end of file). */
static void answer_all(struct fs_wait **list, long err, struct fs_wait **done)
{
	while (*list) {
		struct fs_wait *w = pop(list);

		if (err)
			srv_answer_error(&fs_srv.srv, w->reply, err);
		else
			fs_srv_read_answer(&fs_srv.srv, w->reply, 0, 0, 0);
		finish(w, done);
	}
}

static void pipe_free(struct fs_pipe *p)
{
	struct pipe_node **pp = &all, *pn;

	while (&(*pp)->pipe != p)
		pp = &(*pp)->next;
	pn = *pp;
	*pp = pn->next;
	munmap(p->buf, FS_PIPE_SIZE);
	fs_srv.npipes--;
	pool_put(&pipes, pn);
}

void fs_pipe_close_end(struct fs_pipe *p, int writer)
{
	struct fs_wait *done = 0;

	if (writer && !--p->writers && !p->len)
		answer_all(&p->reads, 0, &done);
	if (!writer && !--p->readers)
		answer_all(&p->writes, -NH_EPIPE, &done);
	if (!p->readers && !p->writers)
		pipe_free(p);
	free_all(done);	/* last: their files may end @p */
}

/* Move @pid's waits off @list onto @gone. */
static void take_pid(struct fs_wait **list, int32_t pid, struct fs_wait **gone)
{
	while (*list) {
		if ((*list)->pid == pid) {
			struct fs_wait *w = pop(list);

			w->next = *gone;
			*gone = w;
		} else {
			list = &(*list)->next;
		}
	}
}

void fs_pipe_drop_pid(int32_t pid)
{
	struct fs_wait *gone = 0;

	for (struct pipe_node *pn = all; pn; pn = pn->next) {
		take_pid(&pn->pipe.reads, pid, &gone);
		take_pid(&pn->pipe.writes, pid, &gone);
	}
	free_all(gone);	/* the files last: a close may end a pipe */
}
