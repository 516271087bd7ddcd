/*
 * Pids from a bitmap of pid_max bits (proc.h).  Handed out cyclically:
 * the search starts after the last pid given, so a pid just freed is not
 * reused at once (a parent's stale pid names nobody for as long as
 * possible); past pid_max - 1 it wraps to 2, because 1 is init's for
 * good (Linux wraps to RESERVED_PIDS, 300; Nuthatch has no kernel
 * threads with pids to keep clear of).
 */
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "proc.h"

#define WORD_BITS	64

static uint64_t *bits;
static uint32_t pid_max, last, used;

int pid_init(uint32_t max)
{
	size_t bytes = (max + WORD_BITS - 1) / WORD_BITS * sizeof(*bits);
	uint64_t *b;

	if (max < 2 || max > PROC_PID_MAX_LIMIT)
		return -NH_EINVAL;
	b = malloc(bytes);

	if (!b)
		return -NH_ENOMEM;
	memset(b, 0, bytes);		/* its pages present from the start */
	free(bits);			/* once only, but for the host tests */
	bits = b;
	pid_max = max;
	last = used = 0;
	return 0;
}

static int taken(uint32_t pid)
{
	return bits[pid / WORD_BITS] >> (pid % WORD_BITS) & 1;
}

/* The first clear bit in [from, pid_max), or 0. */
static uint32_t first_free(uint32_t from)
{
	for (uint32_t p = from; p < pid_max; ) {
		unsigned shift = p % WORD_BITS;
		/* this word's bits from p on; those below p count as taken */
		uint64_t w = bits[p / WORD_BITS] | (shift ? (1ull << shift) - 1 : 0);

		if (~w == 0) {		/* the rest of this word is full */
			p = (p / WORD_BITS + 1) * WORD_BITS;
			continue;
		}
		p = p / WORD_BITS * WORD_BITS + (uint32_t)__builtin_ctzll(~w);
		return p < pid_max ? p : 0;
	}
	return 0;
}

int32_t pid_alloc(void)
{
	uint32_t p = first_free(last + 1);

	if (!p)		/* wrap; the first pid of all (last 0) is init's, 1 */
		p = first_free(PROC_INIT_PID + 1);
	if (!p)
		return -NH_EAGAIN;
	bits[p / WORD_BITS] |= 1ull << (p % WORD_BITS);
	last = p;
	used++;
	return (int32_t)p;
}

void pid_free(int32_t pid)
{
	if (pid > 0 && (uint32_t)pid < pid_max && taken((uint32_t)pid)) {
		bits[pid / WORD_BITS] &= ~(1ull << (pid % WORD_BITS));
		used--;
	}
}

uint32_t pid_used(void)
{
	return used;
}
