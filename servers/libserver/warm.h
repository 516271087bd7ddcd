/*
 * A server's start-up warming (warm.c): the kernel keeps what a task's
 * handle table and stack have grown to, so a server makes them as large
 * as its usual load needs at start; otherwise the first request that
 * needs more would grow the server, which a test counting frames sees as
 * that request's leak.  (Its tables' objects come from pools: pool.h.)
 */
#ifndef LIBSERVER_WARM_H
#define LIBSERVER_WARM_H

#include <stddef.h>

/* Grow the caller's handle table by @n slots: @n copies of @h made, then
 * closed (fewer if a copy fails). */
void srv_warm_handles(long h, unsigned n);

/* Touch @bytes of stack below the caller's frame, a page at a time. */
void srv_warm_stack(size_t bytes);

#endif
