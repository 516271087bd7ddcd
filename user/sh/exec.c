/*
 * Running the command tree: lists, && and ||, background and-or lists
 * (each one forked child), pipelines (a child per stage), ( ) and { }
 * groups, and simple commands: bare assignments, builtins (in the shell,
 * redirections undone after), and programs found through $PATH by execvp
 * in a child.
 * With EXEC_LAST the shell has nothing left to do after the command, so
 * a program replaces the shell instead of being forked.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

pid_t exec_fork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		main_error("fork: %s", strerror(errno));
	return pid;
}

int exec_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* What a foreground command's death by a signal is called, or NULL. */
static const char *signal_words(int sig)
{
	switch (sig) {
	case SIGSEGV: return "Segmentation fault";
	case SIGBUS: return "Bus error";
	case SIGILL: return "Illegal instruction";
	case SIGFPE: return "Floating point exception";
	case SIGABRT: return "Aborted";
	case SIGKILL: return "Killed";
	case SIGTERM: return "Terminated";
	default: return NULL;	/* SIGINT, SIGPIPE and the rest: quietly */
	}
}

static int wait_for(pid_t pid)
{
	int st = 0;
	const char *words;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return 127;
	}
	if (WIFSIGNALED(st) && (words = signal_words(WTERMSIG(st))) != NULL)
		main_error("%s%s", words, WCOREDUMP(st) ? " (core dumped)" : "");
	return exec_status(st);
}

static void child_exit(int status) __attribute__((noreturn));
static void child_exit(int status)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

/* ---- starting a program ---------------------------------------------------- */

/* Where a name without a slash is found in $PATH, executable; or NULL. */
static char *find_in_path(const char *name)
{
	const char *path = var_get("PATH");
	struct buf full = { 0 };

	if (strchr(name, '/'))
		return buf_strdup(name);
	for (path = path ? path : "/bin"; ; path++) {
		size_t n = strcspn(path, ":");

		full.len = 0;
		buf_putn(&full, path, n);
		buf_puts(&full, n ? "/" : "./");
		buf_puts(&full, name);
		if (access(full.s, X_OK) == 0)
			return buf_take(&full);
		path += n;
		if (!*path)
			break;
	}
	buf_free(&full);
	return NULL;
}

/* A file the system cannot execute (no "#!" line): a script for sh. */
static void run_as_script(char **argv)
{
	char *path = find_in_path(argv[0]);
	struct vec args = { 0 };

	if (!path)
		return;
	buf_vec_push(&args, buf_strdup("sh"));
	buf_vec_push(&args, path);
	for (int i = 1; argv[i]; i++)
		buf_vec_push(&args, argv[i]);
	execve("/bin/sh", args.v, environ);
}

void exec_command(char **argv, const struct vec *assigns)
{
	int err;

	environ = var_environ(assigns);
	execvp(argv[0], argv);
	err = errno;
	if (err == ENOEXEC) {
		run_as_script(argv);
		err = errno;
	}
	if (err == ENOENT || err == ENOTDIR) {
		main_error("%s: not found", argv[0]);
		child_exit(127);
	}
	main_error("%s: %s", argv[0], strerror(err));
	child_exit(126);
}

/* ---- commands ---------------------------------------------------------- */

/* The command's words, expanded; export's NAME=value ones unsplit. */
static int expand_args(const struct cmd *c, struct vec *argv)
{
	for (size_t i = 0; i < c->words.n; i++) {
		const char *w = c->words.v[i];
		int one = argv->n && strcmp(argv->v[0], "export") == 0 && lex_is_assignment(w);

		if (expand_word(w, one ? EXPAND_ONE : EXPAND_FIELDS, argv) < 0)
			return -1;
	}
	return 0;
}

/* The NAME=value words, their values expanded. */
static int expand_assigns(const struct cmd *c, struct vec *out)
{
	for (size_t i = 0; i < c->assigns.n; i++) {
		const char *w = c->assigns.v[i];
		size_t n = lex_name_len(w);
		char *value = expand_one(w + n + 1);
		struct buf b = { 0 };

		if (!value)
			return -1;
		buf_putn(&b, w, n + 1);
		buf_puts(&b, value);
		free(value);
		buf_vec_push(out, buf_take(&b));
	}
	return 0;
}

static void set_vars(const struct vec *assigns)
{
	for (size_t i = 0; i < assigns->n; i++)
		var_set_assignment(assigns->v[i], 0);
}

/* No command name: the assignments stay in the shell; the redirections
 * are made (files created) and undone. */
static int bare(const struct cmd *c, const struct vec *assigns)
{
	struct saved_fds save = { .n = 0 };
	int r;

	set_vars(assigns);
	r = redir_apply(c->redirs, &save);
	redir_restore(&save);
	return r < 0 ? 1 : expand_subst_status;
}

/* The variables @assigns will set, as they are: "NAME=value", or "NAME"
 * for one that is unset. */
static void save_vars(const struct vec *assigns, struct vec *old)
{
	for (size_t i = 0; i < assigns->n; i++) {
		char *name = buf_strndup(assigns->v[i], lex_name_len(assigns->v[i]));
		const char *v = var_get(name);
		struct buf b = { 0 };

		buf_puts(&b, name);
		if (v) {
			buf_putc(&b, '=');
			buf_puts(&b, v);
		}
		buf_vec_push(old, buf_take(&b));
		free(name);
	}
}

static void restore_vars(struct vec *old)
{
	for (size_t i = old->n; i-- > 0; ) {
		if (strchr(old->v[i], '='))
			var_set_assignment(old->v[i], 0);
		else
			var_unset(old->v[i]);
	}
	buf_vec_free(old);
}

/* A builtin, in the shell; "exec"'s redirections are for good.  The
 * assignments before it last only while it runs, but for the special
 * builtins'. */
static int builtin(builtin_fn fn, const struct cmd *c, struct vec *argv,
		   const struct vec *assigns)
{
	struct saved_fds save = { .n = 0 };
	struct vec old = { 0 };
	int permanent = strcmp(argv->v[0], "exec") == 0, status = 1;
	int special = builtin_special(argv->v[0]);

	if (!special)
		save_vars(assigns, &old);
	set_vars(assigns);
	if (redir_apply(c->redirs, permanent ? NULL : &save) == 0)
		status = fn((int)argv->n, argv->v);
	fflush(stdout);
	fflush(stderr);
	redir_restore(&save);
	if (!special)
		restore_vars(&old);
	return status;
}

static int external(const struct cmd *c, struct vec *argv, const struct vec *assigns,
		    int flags)
{
	pid_t pid = flags & EXEC_LAST ? 0 : exec_fork();

	if (pid < 0)
		return 1;
	if (pid > 0)
		return wait_for(pid);
	if (redir_apply(c->redirs, NULL) < 0) {
		if (flags & EXEC_LAST)
			return 1;
		child_exit(1);
	}
	exec_command(argv->v, assigns);
}

/* ( list ): in a child, unless the shell is done anyway. */
static int subshell(const struct cmd *c, int flags)
{
	pid_t pid = flags & EXEC_LAST ? 0 : exec_fork();

	if (pid < 0)
		return 1;
	if (pid > 0)
		return wait_for(pid);
	if (!(flags & EXEC_LAST))
		job_forget_all();
	if (redir_apply(c->redirs, NULL) < 0)
		child_exit(1);
	child_exit(exec_list(c->body, EXEC_LAST));
}

/* { list; }: in the shell, its redirections undone after. */
static int group(const struct cmd *c, int flags)
{
	struct saved_fds save = { .n = 0 };
	int status = 1;

	if (redir_apply(c->redirs, &save) == 0)
		status = exec_list(c->body, flags);
	fflush(stdout);
	fflush(stderr);
	redir_restore(&save);
	return status;
}

static int command(const struct cmd *c, int flags)
{
	struct vec argv = { 0 }, assigns = { 0 };
	builtin_fn fn;
	int status;

	if (c->kind == CMD_SUBSHELL)
		return subshell(c, flags);
	if (c->kind == CMD_GROUP)
		return group(c, flags);
	expand_subst_status = 0;
	if (expand_args(c, &argv) < 0 || expand_assigns(c, &assigns) < 0)
		status = 2;
	else if (argv.n == 0)
		status = bare(c, &assigns);
	else if ((fn = builtin_find(argv.v[0])) != NULL)
		status = builtin(fn, c, &argv, &assigns);
	else
		status = external(c, &argv, &assigns, flags);
	buf_vec_free(&argv);
	buf_vec_free(&assigns);
	return status;
}

/* ---- pipelines, and-or lists, lists ---------------------------------------------- */

/* One stage of a pipeline, in its child: @in for stdin, @out[1] for stdout. */
static void stage(const struct cmd *c, int in, const int out[2])
{
	if (out[0] >= 0)
		close(out[0]);
	if (in > 0) {		/* 0 itself if stdin was closed when the pipe was made */
		dup2(in, 0);
		close(in);
	}
	if (out[1] >= 0 && out[1] != 1) {
		dup2(out[1], 1);
		close(out[1]);
	}
	job_forget_all();
	child_exit(command(c, EXEC_LAST));
}

/* Every stage started, each reading the one before through a pipe; how
 * many are in @pids (fewer than the stages if a pipe or fork failed). */
static size_t start_stages(const struct cmd *c, pid_t *pids)
{
	size_t n = 0;
	int in = -1;

	for (; c; c = c->next) {
		int out[2] = { -1, -1 };
		pid_t pid = -1;

		if (c->next && pipe(out) < 0)
			main_error("pipe: %s", strerror(errno));
		else if ((pid = exec_fork()) == 0)
			stage(c, in, out);
		if (in >= 0)
			close(in);
		if (out[1] >= 0)
			close(out[1]);
		in = out[0];
		if (pid < 0)
			break;
		pids[n++] = pid;
	}
	if (in >= 0)
		close(in);
	return n;
}

/* The status of the last stage (1 if not all of them started). */
static int pipeline(const struct pipeline *pl)
{
	size_t stages = 0, n;
	int status = 1;
	pid_t *pids;

	for (const struct cmd *c = pl->cmds; c; c = c->next)
		stages++;
	pids = buf_alloc(stages * sizeof(*pids));
	n = start_stages(pl->cmds, pids);
	for (size_t i = 0; i < n; i++)
		status = wait_for(pids[i]);
	free(pids);
	return n == stages ? status : 1;
}

static int run_pipeline(const struct pipeline *pl, int flags)
{
	int status;

	if (pl->bang)
		flags &= ~EXEC_LAST;	/* the status is needed after */
	if (pl->cmds->next)
		status = pipeline(pl);
	else
		status = command(pl->cmds, flags);
	return pl->bang ? !status : status;
}

static int and_or(const struct andor *ao, int flags)
{
	int status = sh.status;

	for (const struct pipeline *pl = ao->pipes; pl; pl = pl->next) {
		if ((pl->conn == CONN_AND && status != 0) || (pl->conn == CONN_OR && status == 0))
			continue;
		status = run_pipeline(pl, pl->next ? flags & ~EXEC_LAST : flags);
		sh.status = status;
	}
	return status;
}

/* An and-or list ended by &: one child runs it all, stdin /dev/null. */
static void background(const struct andor *ao)
{
	pid_t pid = exec_fork();
	int null;

	if (pid < 0) {
		sh.status = 1;
		return;
	}
	if (pid == 0) {
		job_forget_all();
		sh.interactive = 0;
		null = open("/dev/null", O_RDONLY);
		if (null > 0) {
			dup2(null, 0);
			close(null);
		}
		child_exit(and_or(ao, EXEC_LAST));
	}
	sh.last_bg = pid;
	job_add(pid);
	sh.status = 0;
}

int exec_list(struct andor *list, int flags)
{
	for (struct andor *ao = list; ao; ao = ao->next) {
		if (ao->background)
			background(ao);
		else
			sh.status = and_or(ao, ao->next ? flags & ~EXEC_LAST : flags);
	}
	return sh.status;
}
