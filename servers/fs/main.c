/*
 * The file server: started by the process server before init, with the
 * endpoint it serves at NH_FS_SERVE_HANDLE (the process server made it and
 * keeps the right to mint it: every process's NH_FS_HANDLE is a badged
 * copy, and its own control handle one with NH_FS_CTL_BADGE).  It loads the
 * initramfs's tree, /dev and /tmp, then serves the file protocol
 * (servers/proto/fs.tbl) forever, in one thread.  Its own output goes to
 * the kernel's console (it has no file server to write through).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <nuthatch/errno.h>

#include "fs.h"
#include "nhproto.h"
#include "nuthatch.h"
#include "proto/fs_server.h"
#include "warm.h"

#define HANDLES_WARM	1100	/* 1,000 RAM files and then some */

struct fs_server fs_srv;
const int __nh_console_direct = 1;	/* lib/start.c: stdio to the kernel's console */

static uint8_t ipc_buf[4096] __attribute__((aligned(4096)));
static struct fs_table ctl_table = { .refs = 1, .nslots = 0 };
static struct fs_client ctl = { .pid = 0, .table = &ctl_table };	/* the process server */

/* A client's badge is its pid; the process server's is NH_FS_CTL_BADGE.
 * The control calls check for &ctl; a descriptor call from it finds an
 * empty table. */
static void *who(struct srv *s, uint64_t badge)
{
	(void)s;
	if (badge == NH_FS_CTL_BADGE)
		return &ctl;
	return badge && badge < NH_FS_CTL_BADGE ? fs_client_find((int32_t)badge) : 0;
}

/* After each message: /proc's directories no one holds any more go. */
static void leave(struct srv *s)
{
	(void)s;
	fs_procfs_sweep();
}

int fs_is_ctl(const struct srv_req *r)
{
	return FS_CLIENT(r) == &ctl;
}

long fs_srv_ctl_fork(struct srv_req *r, int32_t parent, int32_t child, uint32_t share)
{
	if (FS_CLIENT(r) != &ctl)
		return -NH_EACCES;
	return fs_table_fork(parent, child, share);
}

long fs_srv_ctl_exec(struct srv_req *r, int32_t pid)
{
	struct fs_client *c = fs_client_find(pid);

	if (FS_CLIENT(r) != &ctl)
		return -NH_EACCES;
	if (!c)
		return -NH_ESRCH;
	fs_table_exec(c);
	return 0;
}

long fs_srv_ctl_exit(struct srv_req *r, int32_t pid)
{
	struct fs_client *c = fs_client_find(pid);

	if (FS_CLIENT(r) != &ctl)
		return -NH_EACCES;
	if (!c)
		return -NH_ESRCH;
	fs_table_exit(c);
	return 0;
}

long fs_srv_stat(struct srv_req *r, uint32_t *clients, uint32_t *tables, uint32_t *files,
		 uint32_t *pipes, uint32_t *waiters)
{
	(void)r;
	*clients = fs_srv.nclients;
	*tables = fs_srv.ntables;
	*files = fs_srv.nfiles;
	*pipes = fs_srv.npipes;
	*waiters = fs_srv.nwaits;
	return 0;
}

/* The page tables under the first mappings (pipes' rings, grown
 * descriptor tables come and go there) made once now: the kernel keeps a
 * space's tables, so the first pipe would otherwise look like a leak. */
static void warm_tables(void)
{
	size_t len = FS_PIPE_SIZE + FS_FD_MAX * sizeof(struct fs_fd);
	volatile uint8_t *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				   -1, 0);

	if (m == MAP_FAILED)
		return;
	m[0] = 0;
	munmap((void *)m, len);
}

static void setup(void)
{
	long r = fs_node_init();

	if (!r)
		r = fs_table_init();
	if (!r)
		r = fs_file_init();
	if (!r)
		r = fs_pipe_init();
	if (!r)
		r = fs_initrd_load();
	if (!r)
		r = fs_dev_init();
	if (!r)
		r = fs_tmp_init();
	if (!r)
		r = fs_procfs_init();
	if (!r)
		r = srv_init(&fs_srv.srv, NH_FS_SERVE_HANDLE, ipc_buf, &fs_proto);
	if (r) {
		printf("fs: cannot start: %ld\n", r);
		exit(1);
	}
	warm_tables();
	srv_warm_stack(32 * 1024);
	srv_warm_handles(NH_FS_SERVE_HANDLE, HANDLES_WARM);	/* a RAM file's object is a handle */
	fs_srv.srv.who = who;
	fs_srv.srv.leave = leave;
}

int main(void)
{
	long r;

	setup();
	r = srv_run(&fs_srv.srv);
	printf("fs: the endpoint failed: %ld\n", r);
	return 1;
}
