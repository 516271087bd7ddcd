/*
 * The rules every server protocol shares, on the client's side: how a
 * reply says what it answers or why it failed, the IPC buffer the
 * generated stubs (build/gen/proto/NAME_client.c, from
 * servers/proto/NAME.tbl by tools/genproto.py) pack into, and the one
 * call they all make.  servers/libserver/ is the other side.
 *
 * A request's reply has label request + 1; an error reply has label
 * NH_PROTO_ERROR, w0 = the -NH_E* code, nothing else.  Registering the
 * IPC buffer through nh_proto_set_buffer tells the stubs where it is
 * (one per program for now: a clone has its own copy).
 */
#ifndef NUTHATCH_PROTO_H
#define NUTHATCH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <nuthatch/ipc.h>

/* The handles every process starts with, at numbers its C library
 * knows: the process server's endpoint, badged with the task's own tid,
 * and the file server's, badged with its process's pid (servers/proc
 * installs both at fork, clone and init's start). */
#define NH_PROC_HANDLE		1
#define NH_FS_HANDLE		2

/* Between the process server and the file server it starts: where the
 * file server finds the endpoint it serves, and the badge of the
 * process server's own handle to it (the control calls: no pid has it). */
#define NH_FS_SERVE_HANDLE	3
#define NH_FS_CTL_BADGE		(1ull << 40)

/* ... and where the file server finds its handle to the console server
 * (servers/console), which the process server starts first. */
#define NH_FS_CONSOLE_HANDLE	4

/* ... and the process server's notification (WRITE only), which the file
 * server signals (NH_PROCFS_BIT) when a question about /proc waits for
 * it: the process server then asks the file server (fs.tbl's ctl_proc)
 * for the questions and answers them, so neither ever waits on the
 * other's loop.  What a question asks: */
#define NH_FS_PROC_NOTIFY_HANDLE	5
#define NH_PROCFS_BIT		1ull
enum nh_procfs_what {
	NH_PROCFS_EXISTS = 1,	/* is there a task @pid (nothing to say but no)? */
	NH_PROCFS_LIST,		/* the processes' pids (leaders'), rising, as int32_t */
	NH_PROCFS_STAT,		/* /proc/@pid/stat's line, in Linux's format */
	NH_PROCFS_STATUS,	/* /proc/@pid/status */
	NH_PROCFS_CMDLINE,	/* /proc/@pid/cmdline: its argv strings, each NUL-ended */
};

/*
 * A pipe's ring: one memory object, made by the file server at pipe2
 * (servers/fs/pipe.c), mapped shared by it and by every process with an
 * end open (lib/posix/pipe.c, which moves the bytes: a read or write of
 * a pipe is no request).  Its first page holds struct nh_pipe_ends, the
 * file server's alone (the users map it read-only, so none can make the
 * others see a false end of file), its second struct nh_pipe_ring, the
 * users', and the bytes are the NH_PIPE_SIZE after them.  Who writes what:
 *   ends    the file server: the ends' counts and O_NONBLOCK;
 *   head    a reader holding lock[0]; tail a writer holding lock[1]
 *           (free-running counts: the bytes are [head, tail) modulo
 *           NH_PIPE_SIZE; a reader trusts no more than NH_PIPE_SIZE of
 *           them, so a corrupt header gives EIO, never a wild copy);
 *   lock[i] 0 or its holder's pid, with NH_PIPE_WAITERS when another may
 *           sleep on it (a futex: the object is shared, so every space
 *           meets at the same word); the file server frees a lock whose
 *           holder died;
 *   seq[0]  bumped (by a writer or the file server) when bytes come or the
 *           last writer goes, seq[1] when room comes or the last reader
 *           goes, each only if sleepers[i] (readers that may sleep on
 *           seq[0], writers on seq[1]) is not 0, which the waker takes
 *           back to 0 as it calls futex_wake on seq[i] (a write after it
 *           need not wake them again).
 * A writer copies before it moves tail, so a writer killed in the middle
 * of a copy leaves nothing half there.
 */
#define NH_PIPE_SIZE	65536u		/* Linux's default capacity */
#define NH_PIPE_RING	4096u		/* where struct nh_pipe_ring is */
#define NH_PIPE_DATA	8192u		/* where the bytes start */
#define NH_PIPE_OBJECT	(NH_PIPE_DATA + NH_PIPE_SIZE)
#define NH_PIPE_WAITERS	0x80000000u	/* in a lock: wake at unlock */
struct nh_pipe_ends {
	uint32_t readers, writers;	/* descriptions open on each end */
	uint32_t nonblock[2];		/* O_NONBLOCK of the read, write end */
};
struct nh_pipe_ring {
	uint32_t head;			/* [lock 0] bytes taken out, ever */
	uint32_t tail;			/* [lock 1] bytes put in, ever */
	uint32_t lock[2];		/* the read side's, the write side's */
	uint32_t seq[2];
	uint32_t sleepers[2];
};

/* Between the process server and the console server: the endpoint it
 * serves, and the badge of the file server's handle (its one client). */
#define NH_CONSOLE_SERVE_HANDLE	3
#define NH_CONSOLE_FS_BADGE	1

/* A process as the process server's ps request gives it. */
struct nh_ps {
	int32_t pid, ppid, pgid, sid;
	uint32_t uid, nthreads;
	char state;		/* R running or ready, S sleeping, D, T stopped, Z zombie */
	char pad[7];
	uint64_t time_ns;	/* CPU time of its threads, user and system */
	uint64_t rss_pages;	/* resident pages of its address space */
	char name[16];		/* its command's name */
};

/* A directory entry as the file server's getdents packs them: Linux's
 * struct linux_dirent64, each padded to 8 bytes (lib/posix/dir.c reads
 * them for readdir). */
struct nh_dirent {
	uint64_t ino;
	int64_t off;		/* the directory's offset after this entry */
	uint16_t reclen;	/* this entry's bytes, its padding included */
	uint8_t type;		/* NH_DT_* (Linux's DT_* values) */
	char name[];		/* NUL-ended */
};

#define NH_DT_CHR		2
#define NH_DT_DIR		4
#define NH_DT_REG		8

#define NH_PROTO_ERROR		0x7fffffffe000ull	/* below the kernel's event labels */
#define NH_PROTO_REPLY(label)	((uint64_t)(label) + 1)

/* nh_ipc_set_buffer(@page), remembered for the stubs; 0 or -NH_E*. */
long nh_proto_set_buffer(void *page);

/* The page last registered through nh_proto_set_buffer (0: none). */
void *nh_proto_buf(void);

/* How a message's grant is taken (nh_proto_msg.grant_kind). */
enum nh_proto_grant {
	NH_PROTO_NO_GRANT,	/* none may come */
	NH_PROTO_HANDLE,	/* a handle must come (> 0) */
	NH_PROTO_RAW_GRANT,	/* the grant word as it came: > 0, 0 or why it failed */
};

/*
 * One message as the generated code hands it over (on both sides): the
 * register words' layout, the buffer's fixed part, a tail after it (to
 * send: the bytes; to receive: room, then what came), the grant.
 */
struct nh_proto_msg {
	void *regs;
	size_t regs_len;
	void *fixed;
	size_t fixed_len;
	void *tail;
	size_t tail_len;
	int tail_ok;		/* to receive: a tail may come */
	int grant_kind;		/* to receive: enum nh_proto_grant */
	uint64_t grant;		/* to send: NH_IPC_GRANT(h, rights); received: as it came */
};

#define NH_PROTO_MSG(regs_, fixed_) \
	{ .regs = &(regs_), .regs_len = sizeof(regs_), .fixed = &(fixed_), \
	  .fixed_len = sizeof(fixed_) }

/*
 * Call @ep with request @label made of @q, and take the reply into @a:
 * its label must be @label + 1, its buffer @a's fixed part (plus a tail,
 * if @a->tail_ok, of at most @a->tail_len bytes), a handle granted if
 * and only if @a->grant_kind is NH_PROTO_HANDLE.  0; the error reply's
 * code; the call's error; -NH_E2BIG (the request or the reply's tail
 * does not fit); -NH_EINVAL (no IPC buffer registered and one is
 * needed); -NH_EBADMSG (a reply of the wrong shape: a handle it brought
 * is closed).
 */
long nh_proto_call(long ep, uint64_t label, const struct nh_proto_msg *q, struct nh_proto_msg *a);

/* nh_proto_call for a request and reply held in the register words alone
 * (@qlen and @alen bytes): no buffer, no tail, no grant either way. */
long nh_proto_call_regs(long ep, uint64_t label, const void *q, size_t qlen, void *a,
			size_t alen);

#endif
