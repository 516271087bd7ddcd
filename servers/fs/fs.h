/*
 * The file server's types and invariants: the name tree (nodes), open
 * file descriptions (files), per-process descriptor tables, pipes and the
 * calls blocked on them.  One thread serves every request to completion
 * or saves its reply, so nothing here is locked.
 *
 * Invariants, true between two requests:
 *  - every node but the root is on exactly one directory's children
 *    list (its parent's), unless unlinked; a directory's nlink is 2
 *    plus its subdirectories; a node's refs count the descriptions and
 *    working directories on it, and an unlinked node is freed (its
 *    memory object closed) when they reach 0; the initramfs's nodes are
 *    never unlinked (only /tmp's, tmp set, change);
 *  - a file's refs count the descriptor slots that point at it; it is
 *    freed, and its pipe end let go, when they reach 0;
 *  - a pipe's readers and writers count the files open on its two ends,
 *    and its ring's copies of them equal them; its ring is unmapped, its
 *    object closed and the pipe freed when both are 0;
 *  - every process the process server made has one client (under its
 *    pid) pointing at one table; a table's refs count the clients that
 *    share it (CLONE_FILES) and it is freed, its descriptors closed, at
 *    0;
 *  - a /proc question is answered or dropped (its process ended)
 *    exactly once, and its reply handle closed then.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "nhproto.h"
#include "pool.h"
#include "server.h"

#define FS_FD_INLINE	32		/* descriptors a table holds in itself */
#define FS_FD_MAX	1024		/* RLIMIT_NOFILE's default: EMFILE past it */
#define FS_PIPE_SIZE	(64u * 1024)	/* Linux's default pipe capacity */
#define FS_PIPE_BUF	4096u		/* writes up to this are atomic */
#define FS_IO_MAX	4096u		/* bytes one read or write moves */
#define FS_NAME_MAX	255
#define FS_PATH_MAX	4096
#define FS_TMP_FILE_MAX	(1ull << 30)	/* a RAM file's size (its object's): EFBIG past it */

enum fs_node_kind {
	FS_DIR,
	FS_REG_INITRD,		/* read-only bytes in the mapped archive */
	FS_REG_TMP,		/* a RAM file (tmp.c): bytes in a memory object */
	FS_PROC_FILE,		/* /proc/PID/stat, status, cmdline (procfs.c) */
	FS_DEV_NULL,
	FS_DEV_ZERO,
	FS_DEV_CONSOLE,		/* the console server's terminal (dev.c forwards) */
};

struct fs_node {
	enum fs_node_kind kind;
	uint32_t mode;			/* S_IF* | permission bits */
	uint32_t nlink;
	uint64_t ino;
	uint64_t size;			/* bytes (a directory: its entries) */
	uint32_t rdev;			/* a device's number (Linux's: major << 8 | minor) */
	const uint8_t *data;		/* FS_REG_INITRD: in the archive */
	long obj;			/* FS_REG_TMP: its memory object (0: no byte yet) */
	uint32_t refs;			/* descriptions and working directories on it */
	uint8_t tmp;			/* in the RAM file system: may change */
	uint8_t unlinked;		/* out of its directory: freed at refs 0 */
	uint8_t procfs;			/* FS_PROCFS_*: its part in /proc */
	uint8_t what;			/* FS_PROC_FILE: enum nh_procfs_what */
	int32_t pid;			/* in /proc/PID: its PID */
	struct fs_node *parent;		/* the root's is itself */
	struct fs_node *children;	/* a directory's, in creation order ... */
	struct fs_node *next;		/* ... linked through this */
	struct fs_node *last_child;
	uint16_t namelen;
	char name[FS_NAME_MAX + 1];
};

struct fs_pipe;

/* An open file description: what open and pipe make, dup and fork share. */
struct fs_file {
	uint32_t refs;
	uint32_t flags;			/* O_ACCMODE, O_APPEND, O_NONBLOCK */
	uint64_t offset;
	struct fs_node *node;		/* 0 for a pipe end */
	struct fs_pipe *pipe;		/* a pipe end: which by flags' access mode */
	uint8_t *snap;			/* /proc: what the process server said at
					   open (a file's bytes, /proc's pids) */
	uint32_t snap_len, snap_room;	/* (procfs.c frees it) */
};

/* A pipe: its ring (lib/nhproto.h's struct nh_pipe_ring) in a memory
 * object mapped here and in its users; the bytes are theirs to move. */
struct fs_pipe {
	long obj;			/* the ring's memory object */
	struct nh_pipe_ends *ends;	/* ... mapped here: its first page */
	struct nh_pipe_ring *ring;	/* ... and its second */
	uint32_t readers, writers;	/* files open on each end (the ring's copy
					   is what its users read) */
	uint64_t ino;			/* for fstat: pipes are numbered apart from nodes */
};

struct fs_fd {
	struct fs_file *file;		/* 0: free */
	uint32_t cloexec;
};

struct fs_table {
	uint32_t refs;			/* clients sharing it */
	uint32_t nslots;		/* FS_FD_INLINE, or FS_FD_MAX while grown */
	uint32_t nhigh;			/* open descriptors past FS_FD_INLINE: the
					   table shrinks back when none is left */
	struct fs_fd *slots;		/* inline, or mapped once grown */
	struct fs_fd inline_slots[FS_FD_INLINE];
};

struct fs_client {
	int32_t pid;
	uint32_t umask;			/* what a new file's mode loses (022 at init) */
	struct fs_table *table;
	struct fs_node *cwd;		/* a ref */
	struct fs_client *hash_next;
};

struct fs_server {
	struct srv srv;
	uint32_t nclients, ntables, nfiles, npipes, nwaits;
};

extern struct fs_server fs_srv;

/* The client behind a request (the handlers' r->client). */
#define FS_CLIENT(r)	((struct fs_client *)(r)->client)

/* node.c: the tree. */
long fs_node_init(void);
struct fs_node *fs_root(void);
/* A new node @name (@len bytes) under @dir; 0: ENOMEM. */
struct fs_node *fs_node_add(struct fs_node *dir, const char *name, size_t len,
			    enum fs_node_kind kind, uint32_t mode);
struct fs_node *fs_node_child(const struct fs_node *dir, const char *name, size_t len);
/* Walk @path (@len bytes) from @start (absolute paths from the root)
 * for the process @self (/proc/self): the node in *@out, or -NH_ENOENT,
 * -NH_ENOTDIR, -NH_ENAMETOOLONG, -NH_ENOMEM (a /proc node). */
long fs_walk(struct fs_node *start, const char *path, size_t len, int32_t self,
	     struct fs_node **out);
/* @n's absolute path into @buf (@room bytes, NUL-ended): its length or -NH_ERANGE. */
long fs_node_path(const struct fs_node *n, char *buf, size_t room);
void fs_node_stat(const struct fs_node *n, struct stat *st);

void fs_node_get(struct fs_node *n);
void fs_node_put(struct fs_node *n);
/* Take @n out of its directory (unlinked; freed once unreferenced). */
void fs_node_unlink(struct fs_node *n);
/* Move @n under @dir as @name (@len bytes). */
void fs_node_move(struct fs_node *n, struct fs_node *dir, const char *name, size_t len);

/* tmp.c: the RAM file system under /tmp. */
long fs_tmp_init(void);
long fs_tmp_read(struct fs_node *n, void *buf, uint32_t count, uint64_t offset);
long fs_tmp_write(struct fs_node *n, const void *buf, uint32_t count, uint64_t offset);
long fs_tmp_truncate(struct fs_node *n, int64_t length);
void fs_tmp_release(struct fs_node *n);

/* initrd.c: the initramfs's tree under the root. */
long fs_initrd_load(void);

/* dev.c: /dev. */
long fs_dev_init(void);
long fs_dev_read(struct fs_file *f, void *buf, uint32_t count);
long fs_dev_write(struct fs_file *f, const void *buf, uint32_t count);

/* /dev/console's calls go to the console server with the client's reply
 * (dev.c): 1 if @f is the console and the call went (answered there, or
 * here on failure), 0 if @f is no console (the caller goes on). */
int fs_dev_console_read(struct srv_req *r, struct fs_file *f, uint32_t count);
int fs_dev_console_write(struct srv_req *r, struct fs_file *f, const void *data, size_t len);
long fs_dev_console_ioctl(struct srv_req *r, struct fs_file *f, uint32_t cmd, const void *arg,
			  size_t len);

/* file.c: descriptions. */
long fs_file_init(void);
struct fs_file *fs_file_new(struct fs_node *node, uint32_t flags);
void fs_file_get(struct fs_file *f);
void fs_file_put(struct fs_file *f);
long fs_file_read(struct fs_file *f, void *buf, uint32_t count, uint64_t offset);
long fs_file_write(struct fs_file *f, const void *buf, uint32_t count, uint64_t offset);
long fs_file_getdents(struct fs_file *f, void *buf, uint32_t count);

/* table.c: clients and their tables. */
long fs_table_init(void);
struct fs_client *fs_client_find(int32_t pid);
/* Is @r the process server's (the control badge)?  (main.c) */
int fs_is_ctl(const struct srv_req *r);
long fs_table_fork(int32_t parent, int32_t child, uint32_t share);
void fs_table_exec(struct fs_client *c);
void fs_table_exit(struct fs_client *c);
/* @path (@len bytes, no NUL) from @dirfd (AT_FDCWD: the working
 * directory) for @c: the node, or -NH_E* (EBADF, ENOTDIR, ENOENT,
 * ENAMETOOLONG, EINVAL for a NUL inside). */
long fs_resolve(struct fs_client *c, int32_t dirfd, const char *path, size_t len,
		struct fs_node **out);
/* The directory of @path's last component (its name in *@name, *@namelen
 * bytes, trailing slashes left out): 0 or -NH_E*, as fs_resolve. */
long fs_resolve_parent(struct fs_client *c, int32_t dirfd, const char *path, size_t len,
		       struct fs_node **dir, const char **name, size_t *namelen);
/* The file open at @fd, or 0 (EBADF). */
struct fs_file *fs_fd_get(struct fs_client *c, int32_t fd);
/* Put @f at the lowest free descriptor >= @min (a ref taken): it, or -NH_EMFILE. */
long fs_fd_install(struct fs_client *c, struct fs_file *f, int32_t min, uint32_t cloexec);
/* Put @f at exactly @fd (closing what was there): 0 or -NH_EBADF. */
long fs_fd_install_at(struct fs_client *c, struct fs_file *f, int32_t fd, uint32_t cloexec);
long fs_fd_close(struct fs_client *c, int32_t fd);
struct fs_fd *fs_fd_slot(struct fs_client *c, int32_t fd);

/* procfs.c: /proc, its answers the process server's (fs.tbl's ctl_proc).
 * Its nodes: the directory /proc (FS_PROCFS_ROOT, no children of its
 * own), a directory for each PID a walk names (FS_PROCFS_PID, made
 * on the walk, off /proc's list, freed by fs_procfs_sweep once neither
 * it nor its three files is referenced), and those files. */
enum { FS_PROCFS_NONE, FS_PROCFS_ROOT, FS_PROCFS_PID };
long fs_procfs_init(void);
/* The walk's step from /proc by @name: its PID's directory into *@at
 * ("self": @self's), or -NH_ENOENT, -NH_ENOMEM. */
long fs_procfs_step(struct fs_node **at, const char *name, size_t len, int32_t self);
/* What an open, stat, access or chdir of @n must ask the process server
 * first (enum nh_procfs_what), or 0: nothing. */
enum fs_procfs_op { FS_PROCFS_OPEN, FS_PROCFS_FSTATAT, FS_PROCFS_ACCESS, FS_PROCFS_CHDIR };
int fs_procfs_asks(const struct fs_node *n, enum fs_procfs_op op);
/* Ask it, deferring @r, which is answered once the answer comes: 0 or
 * -NH_E* (not deferred). */
long fs_procfs_ask(struct srv_req *r, struct fs_node *n, enum fs_procfs_op op, uint32_t flags);
long fs_procfs_read(struct fs_file *f, void *buf, uint32_t count, uint64_t offset);
long fs_procfs_getdents(struct fs_file *f, void *buf, uint32_t count);
void fs_procfs_drop_pid(int32_t pid);
void fs_procfs_release(struct fs_file *f);	/* its snap */
void fs_procfs_sweep(void);

/* file.c's entry encoder, for procfs.c: one entry into @out (@room
 * bytes), its size, or 0 if it does not fit. */
size_t fs_dirent_put(uint8_t *out, size_t room, uint64_t ino, uint64_t next, uint8_t type,
		     const char *name, size_t len);
/* node.c: a node on no list (procfs.c's); 0: ENOMEM.  fs_node_free
 * frees one (its children too). */
struct fs_node *fs_node_new(enum fs_node_kind kind, uint32_t mode, const char *name, size_t len);
void fs_node_free(struct fs_node *n);

/* pipe.c */
long fs_pipe_init(void);
long fs_pipe_new(struct fs_file **rd, struct fs_file **wr, uint32_t nonblock);
void fs_pipe_close_end(struct fs_pipe *p, int writer);
/* @f's O_NONBLOCK (F_SETFL) into its ring, for its readers or writers. */
void fs_pipe_set_nonblock(struct fs_file *f);
void fs_pipe_stat(const struct fs_pipe *p, struct stat *st);
uint32_t fs_pipe_held(const struct fs_pipe *p);	/* bytes in its ring (FIONREAD) */
/* @pid ended: the ring locks it held are free. */
void fs_pipe_drop_pid(int32_t pid);

#endif
