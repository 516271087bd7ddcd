/*
 * Redirections: N<file, N>file, N>>file, N<>file, N>&M, N<&M and N>&-,
 * applied in the order written.  In a child they simply replace the
 * descriptors; around a builtin the shell keeps copies of what they
 * replaced (struct saved_fds, copies at SH_FD_MIN or above) and puts
 * those back afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

int redir_move_high(int fd)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, SH_FD_MIN);

	close(fd);
	return high;
}

/* Keep a copy of @fd in @save before it changes (once per set). */
static void remember(struct saved_fds *save, int fd)
{
	if (!save || save->n == (int)(sizeof(save->fd) / sizeof(save->fd[0])))
		return;
	for (int i = 0; i < save->n; i++)
		if (save->fd[i] == fd)
			return;
	save->fd[save->n] = fd;
	save->copy[save->n++] = fcntl(fd, F_DUPFD_CLOEXEC, SH_FD_MIN);
}

void redir_restore(struct saved_fds *save)
{
	while (save->n > 0) {
		int i = --save->n;

		if (save->copy[i] >= 0) {
			dup2(save->copy[i], save->fd[i]);
			close(save->copy[i]);
		} else {
			close(save->fd[i]);
		}
	}
}

static int open_flags(enum redir_op op)
{
	switch (op) {
	case R_IN:
		return O_RDONLY;
	case R_RDWR:
		return O_RDWR | O_CREAT;
	case R_APPEND:
		return O_WRONLY | O_CREAT | O_APPEND;
	default:
		return O_WRONLY | O_CREAT | O_TRUNC;
	}
}

/* @fd onto file @name. */
static int to_file(const struct redir *r, const char *name, struct saved_fds *save)
{
	int fd;

	remember(save, r->fd);	/* first: if it is closed, open gives it */
	fd = open(name, open_flags(r->op), 0666);
	if (fd < 0) {
		main_error("%s: %s", name, strerror(errno));
		return -1;
	}
	if (fd == r->fd)
		return 0;
	if (dup2(fd, r->fd) < 0) {
		main_error("%d: %s", r->fd, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* @fd a copy of descriptor @word, or closed for "-". */
static int to_fd(const struct redir *r, const char *word, struct saved_fds *save)
{
	char *end;
	long src = strtol(word, &end, 10);

	if (strcmp(word, "-") == 0) {
		remember(save, r->fd);
		close(r->fd);
		return 0;
	}
	if (!*word || *end || src < 0 || src >= SH_FD_MIN || fcntl((int)src, F_GETFD) < 0) {
		main_error("%s: bad file descriptor", word);
		return -1;
	}
	if (src == r->fd)
		return 0;
	remember(save, r->fd);
	dup2((int)src, r->fd);
	return 0;
}

int redir_apply(const struct redir *r, struct saved_fds *save)
{
	for (; r; r = r->next) {
		char *word = expand_one(r->word);
		int ok;

		if (!word)
			return -1;
		if (r->op == R_DUPIN || r->op == R_DUPOUT)
			ok = to_fd(r, word, save);
		else
			ok = to_file(r, word, save);
		free(word);
		if (ok < 0)
			return -1;
	}
	return 0;
}
