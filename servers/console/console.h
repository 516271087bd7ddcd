/*
 * The console server (/sbin/console): the console UART driven from user
 * space, and the line discipline on it.  The process server starts it
 * first; it claims the UART from the kernel (console_claim: the kernel's
 * own lines then come through its log, which this server writes out
 * between its own writes, so no two writes ever interleave), binds the
 * UART's line, and serves the console protocol (servers/proto/console.tbl)
 * to the file server, which forwards every read, write and ioctl of
 * /dev/console here with its client's reply.  One thread; it never calls
 * another server.
 *
 * port.c drives the UART (the kernel's own drivers, kernel/dev/uart_*.c,
 * linked in); tty.c is the line discipline and the termios state; main.c
 * the start-up, the events and the protocol's handlers.
 */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/termios.h>

#include "nhproto.h"
#include "server.h"

#define CON_BIT_RX	0x1ull		/* the UART's line fired */
#define CON_BIT_LOG	0x2ull		/* the kernel's log has bytes */
#define CON_SERVE_HANDLE NH_CONSOLE_SERVE_HANDLE	/* the endpoint it serves */
#define CON_FS_BADGE	NH_CONSOLE_FS_BADGE		/* the file server's badge */
#define CON_LINE_MAX	4095		/* a canonical line, MAX_CANON */
#define CON_IN_SIZE	8192		/* bytes ready for reads, power of two */
#define CON_ENDS	256		/* line ends queued, power of two */
#define CON_WAITERS	64		/* reads waiting at once */

/* ---- port.c: the UART ------------------------------------------------- */

/* Claim the UART (or, without one, write through the kernel's debug
 * console and take no input); @notify gets CON_BIT_*.  0 or -NH_E*. */
long port_init(long notify);

/* Write @n bytes as they are (no processing). */
void port_write(const void *buf, size_t n);

/* The line fired: every received byte to tty_input, then the line acked. */
void port_rx(void);

/* Put what was received while writing through tty_input (echoes may
 * receive more: until none is left), then serve the reads. */
void port_settle(void);

/* Write the kernel's log out (CON_BIT_LOG), "\n" as "\r\n". */
void port_log(void);

/* Bytes written, and kernel log bytes the kernel dropped. */
uint64_t port_tx_count(void);
uint64_t port_lost_count(void);

/* ---- tty.c: the line discipline ---------------------------------------- */

/* One read waiting for input: its caller's saved reply. */
struct con_waiter {
	long reply;		/* 0: the slot is free */
	uint64_t cookie;	/* its cancel notice's */
	uint32_t count;		/* at most this many bytes */
};

/*
 * The terminal.  Canonical input collects in line[] (edited there) until
 * a newline, VEOL or VEOF moves it to in[], the bytes reads take; ends[]
 * says where each complete line in in[] ends (bit 63: it ended with
 * VEOF, whose byte is not delivered).  In non-canonical mode bytes go to
 * in[] at once and ends[] is empty.  Waiters are served in order.
 */
struct con_tty {
	struct termios t;
	struct winsize ws;
	int32_t pgrp, sid;	/* the foreground group, the session */
	char line[CON_LINE_MAX];
	uint32_t nline;
	char in[CON_IN_SIZE];
	uint32_t head, tail;	/* free-running indices into in[] */
	uint64_t ends[CON_ENDS];
	uint32_t ehead, etail;	/* free-running indices into ends[] */
	struct con_waiter wait[CON_WAITERS];
	uint32_t nwait;
	uint64_t next_cookie;
	uint64_t rx, signals;	/* bytes received; ISIG characters seen */
};

extern struct con_tty con_tty;

void tty_init(void);
/* One received byte through input processing, echo and line editing. */
void tty_input(int c);
/* After input: answer the reads that can be answered now. */
void tty_serve(void);
/* A read of at most @count bytes on the saved reply @reply: 0 (answered
 * or queued), or -NH_E* to answer it with. */
long tty_read(long reply, uint32_t count, int nonblock);
/* Write @n bytes with output processing (c_oflag). */
void tty_write(const void *buf, size_t n);
/* A terminal request: 0 and *@out_len bytes of answer in @out, or -NH_E*. */
long tty_ioctl(int32_t pid, uint32_t cmd, const void *arg, size_t arg_len, void *out,
	       size_t *out_len);
/* A waiting read's caller went away (NH_IPC_CANCEL with @cookie). */
void tty_cancel(uint64_t cookie);
/* Complete lines queued for reads. */
uint32_t tty_lines(void);

/* ---- main.c ------------------------------------------------------------ */

/* Answer saved replies in the file protocol's layout (fs.tbl). */
long con_answer_read(long reply, const void *data, size_t len);
long con_answer_write(long reply, uint32_t done);
long con_answer_ioctl(long reply, const void *out, size_t len);
long con_answer_error(long reply, long err);

#endif
