/*
 * Host tests of the process server's pid bitmap (servers/proc/pid.c):
 * pids handed out cyclically and never twice while in use, across word
 * boundaries and wraps, EAGAIN when every one is taken, and a long
 * random run against a model.
 */
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "ktap.h"
#include "proc.h"

#define MAX	200		/* not a multiple of 64: the last word is partial */

static bool all_once_then_eagain(void)
{
	bool ok = pid_init(MAX) == 0, seen[MAX] = { 0 };

	for (int i = 1; i < MAX; i++) {
		int32_t p = pid_alloc();

		ok &= p == i && !seen[p];	/* 1 (init's) first, then in order */
		seen[p] = true;
	}
	ok &= pid_alloc() == -NH_EAGAIN && pid_used() == MAX - 1;
	return ok;
}

/* Free a few, in several words; the next ones are exactly those, in
 * cyclic order from after the last handed out, never one in use. */
static bool reuse_skips_what_is_taken(void)
{
	static const int32_t freed[] = { 5, 63, 64, 65, 127, 128, 199 };
	bool ok = true;

	for (unsigned i = 0; i < sizeof(freed) / sizeof(freed[0]); i++)
		pid_free(freed[i]);
	for (unsigned i = 0; i < sizeof(freed) / sizeof(freed[0]); i++)
		ok &= pid_alloc() == freed[i];
	ok &= pid_alloc() == -NH_EAGAIN;
	pid_free(1);				/* init's is never handed out again */
	ok &= pid_alloc() == -NH_EAGAIN;
	return ok;
}

/* From a start in the middle of a full word, the search must not take
 * the first bit of the next word without looking at it. */
static bool word_boundary_is_checked(void)
{
	bool ok = pid_init(MAX) == 0;

	for (int i = 1; i < MAX; i++)
		pid_alloc();
	pid_free(70);
	pid_free(150);
	ok &= pid_alloc() == 70;		/* wraps to the lowest free */
	ok &= pid_alloc() == 150;
	ok &= pid_alloc() == -NH_EAGAIN;
	return ok;
}

static bool random_against_a_model(void)
{
	bool ok = pid_init(MAX) == 0, used[MAX] = { 0 };
	unsigned n = 0;

	srand(7);
	for (int step = 0; step < 200000 && ok; step++) {
		if (rand() % 3) {
			int32_t p = pid_alloc();

			if (n == MAX - 1) {
				ok &= p == -NH_EAGAIN;
				continue;
			}
			ok &= p >= 1 && p < MAX && !used[p];
			if (p > 0 && p < MAX) {
				used[p] = true;
				n++;
			}
		} else {
			int32_t p = 2 + rand() % (MAX - 2);

			if (used[p])
				n--;
			used[p] = false;
			pid_free(p);
		}
		ok &= pid_used() == n;
	}
	return ok;
}

int main(void)
{
	ktap_begin(5);
	ktap_result(all_once_then_eagain(), "all_once_then_eagain");
	ktap_result(reuse_skips_what_is_taken(), "reuse_skips_what_is_taken");
	ktap_result(word_boundary_is_checked(), "word_boundary_is_checked");
	ktap_result(random_against_a_model(), "random_against_a_model");
	ktap_result(pid_init(1) == -NH_EINVAL && pid_init(PROC_PID_MAX_LIMIT + 1) == -NH_EINVAL,
		    "bad_pid_max_refused");
	return ktap_end();
}
