/*
 * /proc (fs.h): a directory for each process, with its stat, status and
 * cmdline in Linux's formats.  The facts are the process server's, and
 * this server never calls it (the process server calls this one, for
 * fork, exec and exit, and waits for the answers): a path into /proc
 * that needs a fact becomes a question, queued here with the client's
 * reply saved, and a signal on the process server's notification.  The
 * process server then takes the questions and answers them with
 * ctl_proc, piece by piece; the last piece completes the client's call
 * (an open gets a descriptor holding the bytes, taken at open as Linux
 * takes them at the first read; a stat, access or chdir its answer).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "fs.h"
#include "nhproto.h"
#include "nuthatch.h"
#include "proto/fs_server.h"

#define PID_LIMIT	4194304		/* Linux's PID_MAX_LIMIT: no pid above */
#define ANSWER_MAX	(1u << 20)	/* bytes one answer may come to */
#define BLOCK		4096u		/* an answer's room from the pool: most fit */
#define INO_BASE	(1ull << 32)	/* /proc's inode numbers, apart from the tree's */

/* A question waiting for the process server's answer, and the call it
 * completes. */
struct question {
	uint32_t id;
	uint8_t op;			/* enum fs_procfs_op */
	uint8_t what;			/* enum nh_procfs_what */
	uint8_t taken;			/* the process server has it */
	int32_t pid, caller;
	long reply;			/* the caller's, saved */
	struct fs_node *node;		/* a ref */
	uint32_t flags;			/* an open's O_* */
	uint8_t *data;
	uint32_t len, room;
	struct question *next;
};

struct block {
	uint8_t b[BLOCK];
};

static struct pool questions_pool = POOL_INIT(struct question);
static struct pool blocks = POOL_INIT(struct block);
static struct fs_node *proc_dir;	/* /proc */
static struct fs_node *pid_dirs;	/* /proc/PID directories, through next */
static struct question *questions;	/* first come first */
static uint32_t next_id = 1;

static const struct { const char *name; uint8_t what; } files[] = {
	{ "stat", NH_PROCFS_STAT }, { "status", NH_PROCFS_STATUS },
	{ "cmdline", NH_PROCFS_CMDLINE },
};

long fs_procfs_init(void)
{
	struct fs_node *root = fs_root();

	proc_dir = fs_node_child(root, "proc", 4);
	if (!proc_dir)
		proc_dir = fs_node_add(root, "proc", 4, FS_DIR, S_IFDIR | 0555);
	if (!proc_dir || proc_dir->kind != FS_DIR || proc_dir->children)
		return -NH_EEXIST;	/* the archive's /proc must be an empty directory */
	proc_dir->mode = S_IFDIR | 0555;
	proc_dir->procfs = FS_PROCFS_ROOT;
	/* room kept from the start: the first answer does not grow the
	 * server (its heap gives back only its top) */
	return pool_reserve(&questions_pool, 32) || pool_reserve(&blocks, 8) ? -NH_ENOMEM : 0;
}

/* Linux's rule for a pid in a name: digits, no leading zero, in range. */
static int32_t name_pid(const char *name, size_t len)
{
	uint32_t pid = 0;

	if (!len || len > 7 || (len > 1 && name[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		pid = pid * 10 + (uint32_t)(name[i] - '0');
	}
	return pid && pid <= PID_LIMIT ? (int32_t)pid : -1;
}

/* /proc/@pid, made with its three files. */
static struct fs_node *pid_dir_new(int32_t pid, const char *name, size_t len)
{
	struct fs_node *d = fs_node_new(FS_DIR, S_IFDIR | 0555, name, len);

	if (!d)
		return 0;
	d->procfs = FS_PROCFS_PID;
	d->pid = pid;
	d->parent = proc_dir;
	d->ino = INO_BASE + ((uint64_t)pid << 2);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct fs_node *f = fs_node_add(d, files[i].name, strlen(files[i].name),
						FS_PROC_FILE, S_IFREG | 0444);

		if (!f) {
			fs_node_free(d);
			return 0;
		}
		f->what = files[i].what;
		f->pid = pid;
		f->ino = d->ino + 1 + i;
	}
	d->next = pid_dirs;
	pid_dirs = d;
	return d;
}

long fs_procfs_step(struct fs_node **at, const char *name, size_t len, int32_t self)
{
	int32_t pid = len == 4 && !memcmp(name, "self", 4) ? self : name_pid(name, len);
	char digits[12];
	int n;

	if (pid <= 0)
		return -NH_ENOENT;
	for (struct fs_node *d = pid_dirs; d; d = d->next)
		if (d->pid == pid) {
			*at = d;
			return 0;
		}
	n = snprintf(digits, sizeof(digits), "%d", (int)pid);
	*at = pid_dir_new(pid, digits, (size_t)n);
	return *at ? 0 : -NH_ENOMEM;
}

static int unused(const struct fs_node *d)
{
	if (d->refs)
		return 0;
	for (const struct fs_node *f = d->children; f; f = f->next)
		if (f->refs)
			return 0;
	return 1;
}

void fs_procfs_sweep(void)
{
	for (struct fs_node **pp = &pid_dirs, *d; (d = *pp);) {
		if (unused(d)) {
			*pp = d->next;
			d->next = 0;
			fs_node_free(d);
		} else {
			pp = &d->next;
		}
	}
}

int fs_procfs_asks(const struct fs_node *n, enum fs_procfs_op op)
{
	if (n->procfs == FS_PROCFS_ROOT)
		return op == FS_PROCFS_OPEN ? NH_PROCFS_LIST : 0;
	if (n->procfs == FS_PROCFS_PID)
		return NH_PROCFS_EXISTS;
	if (n->kind == FS_PROC_FILE)
		return op == FS_PROCFS_OPEN ? n->what : NH_PROCFS_EXISTS;
	return 0;
}

static uint32_t new_id(void)
{
	if (!next_id)
		next_id = 1;	/* (wrapped: 0 means none) */
	return next_id++;
}

long fs_procfs_ask(struct srv_req *r, struct fs_node *n, enum fs_procfs_op op, uint32_t flags)
{
	struct question *q = pool_get(&questions_pool), **pp = &questions;
	long err = q ? nh_notify_signal(NH_FS_PROC_NOTIFY_HANDLE, NH_PROCFS_BIT) : -NH_ENOMEM;
	long reply = err ? err : srv_defer(r);

	if (reply < 0) {
		pool_put(&questions_pool, q);
		return reply == -NH_EBADF ? -NH_ENOENT : reply;	/* no process server to ask */
	}
	*q = (struct question){ .id = new_id(), .op = (uint8_t)op,
				.what = (uint8_t)fs_procfs_asks(n, op), .reply = reply,
				.pid = n->pid, .caller = FS_CLIENT(r)->pid, .node = n,
				.flags = flags };
	fs_node_get(n);
	while (*pp)
		pp = &(*pp)->next;
	*pp = q;
	fs_srv.nwaits++;
	return 0;
}

/* An answer's bytes: a block from the pool (@room BLOCK), or the heap's. */
static void data_free(uint8_t *data, uint32_t room)
{
	if (room == BLOCK)
		pool_put(&blocks, data);
	else
		free(data);
}

void fs_procfs_release(struct fs_file *f)
{
	data_free(f->snap, f->snap_room);
}

static void question_free(struct question *q)
{
	struct question **pp = &questions;

	while (*pp != q)
		pp = &(*pp)->next;
	*pp = q->next;
	fs_node_put(q->node);
	data_free(q->data, q->room);
	pool_put(&questions_pool, q);
	fs_srv.nwaits--;
}

void fs_procfs_drop_pid(int32_t pid)
{
	for (struct question *q = questions, *next; q; q = next) {
		next = q->next;
		if (q->caller == pid) {
			nh_handle_close(q->reply);
			question_free(q);
		}
	}
}

/* The open @q asked for: a description holding the answer's bytes. */
static long complete_open(struct question *q, struct fs_client *c, int32_t *fd)
{
	struct fs_file *f = fs_file_new(q->node, q->flags & (O_ACCMODE | O_NONBLOCK));
	long got;

	if (!f)
		return -NH_ENOMEM;
	f->snap = q->data;
	f->snap_len = q->len;
	f->snap_room = q->room;
	q->data = 0;
	q->room = 0;
	got = fs_fd_install(c, f, 0, !!(q->flags & O_CLOEXEC));
	fs_file_put(f);
	*fd = (int32_t)got;
	return got < 0 ? got : 0;
}

static long complete_chdir(struct question *q, struct fs_client *c)
{
	fs_node_get(q->node);
	fs_node_put(c->cwd);
	c->cwd = q->node;
	return 0;
}

/* The call @q holds, answered now that its answer came whole. */
static void complete(struct question *q)
{
	struct fs_client *c = fs_client_find(q->caller);
	struct srv *s = &fs_srv.srv;
	struct stat st;
	int32_t fd = -1;
	long err = c ? 0 : -NH_ESRCH;

	if (!err && q->op == FS_PROCFS_OPEN)
		err = complete_open(q, c, &fd);
	else if (!err && q->op == FS_PROCFS_CHDIR)
		err = complete_chdir(q, c);
	if (!err && q->op == FS_PROCFS_FSTATAT)
		fs_node_stat(q->node, &st);
	if (err)
		srv_answer_error(s, q->reply, err);
	else if (q->op == FS_PROCFS_OPEN)
		fs_srv_openat_answer(s, q->reply, fd);
	else if (q->op == FS_PROCFS_FSTATAT)
		fs_srv_fstatat_answer(s, q->reply, &st);
	else if (q->op == FS_PROCFS_ACCESS)
		fs_srv_faccessat_answer(s, q->reply);
	else
		fs_srv_chdir_answer(s, q->reply);
}

/* A piece of @q's answer: 0, or why it cannot be kept. */
static long append(struct question *q, const void *data, size_t len)
{
	if (len > ANSWER_MAX - q->len)
		return -NH_ENOMEM;
	if (q->len + len > q->room) {
		uint32_t room = BLOCK;
		uint8_t *d;

		while (room < q->len + len)
			room *= 2;
		d = room == BLOCK ? pool_get(&blocks) : malloc(room);
		if (!d)
			return -NH_ENOMEM;
		if (q->len)
			memcpy(d, q->data, q->len);
		data_free(q->data, q->room);
		q->data = d;
		q->room = room;
	}
	memcpy(q->data + q->len, data, len);
	q->len += (uint32_t)len;
	return 0;
}

/* The answer to question @id (a piece, or its end, or an error). */
static void answer(uint32_t id, int32_t status, const void *data, size_t len)
{
	struct question *q = questions;
	long err = status < 0 ? status : 0;

	while (q && !(q->id == id && q->taken))
		q = q->next;
	if (!q)
		return;		/* its caller is gone, or a stale id */
	if (!err)
		err = append(q, data, len);
	if (err == -NH_ESRCH)
		err = -NH_ENOENT;	/* the task named is none (or reaped) */
	if (err)
		srv_answer_error(&fs_srv.srv, q->reply, err);
	else if (status == 1)
		complete(q);
	if (err || status == 1)
		question_free(q);
}

long fs_srv_ctl_proc(struct srv_req *r, uint32_t id, int32_t status, const void *data,
		     size_t data_len, uint32_t *next, int32_t *pid, uint32_t *what,
		     int32_t *caller)
{
	struct question *q;

	if (!fs_is_ctl(r))
		return -NH_EACCES;
	if (status > 1 || (status < 0 && data_len))
		return -NH_EINVAL;
	*next = 0;
	if (id)
		answer(id, status, data, data_len);
	if (id && !status)
		return 0;	/* more of this answer comes first */
	for (q = questions; q && q->taken;)
		q = q->next;
	if (q) {
		q->taken = 1;
		*next = q->id;
		*pid = q->pid;
		*what = q->what;
		*caller = q->caller;
	}
	return 0;
}

long fs_procfs_read(struct fs_file *f, void *buf, uint32_t count, uint64_t offset)
{
	if (offset >= f->snap_len)
		return 0;
	if (count > f->snap_len - offset)
		count = (uint32_t)(f->snap_len - offset);
	memcpy(buf, f->snap + offset, count);
	return count;
}

/* /proc's entry @i: ".", "..", "self", then a directory for each pid the
 * process server listed at open; its name's length, its inode in *@ino. */
static int proc_entry(const struct fs_file *f, uint64_t i, char name[12], uint64_t *ino)
{
	int32_t pid;

	*ino = i == 1 ? f->node->parent->ino : f->node->ino;
	if (i < 3)
		return snprintf(name, 12, "%s", i == 0 ? "." : i == 1 ? ".." : "self");
	memcpy(&pid, f->snap + (i - 3) * sizeof(pid), sizeof(pid));
	*ino = INO_BASE + ((uint64_t)pid << 2);
	return snprintf(name, 12, "%d", (int)pid);
}

/* /proc's entries from the offset (which counts them). */
long fs_procfs_getdents(struct fs_file *f, void *buf, uint32_t count)
{
	uint64_t n = 3 + f->snap_len / sizeof(int32_t), ino;
	uint8_t *out = buf;
	size_t used = 0, put;
	char name[12];

	for (; f->offset < n; f->offset++, used += put) {
		int len = proc_entry(f, f->offset, name, &ino);

		put = fs_dirent_put(out + used, count - used, ino, f->offset + 1, NH_DT_DIR, name,
				    (size_t)len);
		if (!put)
			break;
	}
	return used || f->offset >= n ? (long)used : -NH_EINVAL;
}
