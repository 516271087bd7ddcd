/*
 * sh, the Nuthatch shell: startup and the read-parse-run loop.
 *
 *	sh			commands from stdin: edited, with a prompt, on a
 *				terminal; else read as a script
 *	sh -c TEXT [NAME [ARG...]]	TEXT's commands, $0 NAME, $1... ARGs
 *	sh FILE [ARG...]	FILE's commands, $0 FILE, $1... ARGs
 *
 * Commands are read a line at a time; a line that leaves a command
 * unfinished (an open quote, a trailing | && || or backslash) is joined
 * by the next.  A syntax error ends a non-interactive shell with status 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

struct shell sh;

void main_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n = snprintf(msg, sizeof(msg), "sh: ");

	va_start(ap, fmt);
	n += vsnprintf(msg + n, sizeof(msg) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(msg) - 2)
		n = (int)sizeof(msg) - 2;
	msg[n++] = '\n';
	fflush(stdout);
	write(2, msg, (size_t)n);
}

void main_exit(int status)
{
	fflush(stdout);
	fflush(stderr);
	exit(status);
}

/* A whole command into @text and @tree: more lines while it is unfinished. */
static int read_command(struct input *in, char *line, struct buf *text, struct andor **tree)
{
	int r;

	buf_puts(text, line);
	free(line);
	while ((r = parse_text(buf_cstr(text), tree)) == LEX_MORE) {
		line = input_line(in, 1);
		if (!line) {
			main_error("syntax error: unexpected end of file");
			return LEX_ERROR;
		}
		buf_puts(text, line);
		free(line);
	}
	return r;
}

int main_run(struct input *in)
{
	struct buf text = { 0 };
	struct andor *tree;
	char *line;
	int r;

	for (;;) {
		if (sh.interactive)
			job_report();
		if (!(line = input_line(in, 0)))
			break;
		text.len = 0;
		r = read_command(in, line, &text, &tree);
		if (r == LEX_OK)
			exec_list(tree, !sh.interactive && input_at_end(in) ? EXEC_LAST : 0);
		parse_free(tree);
		if (r == LEX_ERROR) {
			sh.status = 2;
			if (!sh.interactive)
				break;
		}
	}
	buf_free(&text);
	return sh.status;
}

int main_run_string(const char *text)
{
	struct input in;

	input_string(&in, text);
	return main_run(&in);
}

/* The positional parameters: @argv's strings up to NULL. */
static void set_params(char **argv)
{
	for (; *argv; argv++)
		buf_vec_push(&sh.params, buf_strdup(*argv));
}

static void defaults(void)
{
	char cwd[4096];

	if (!var_get("PATH"))
		var_set("PATH", "/bin", 1);
	if (getcwd(cwd, sizeof(cwd)))
		var_set("PWD", cwd, 1);
}

static int run_file(const char *name, char **args)
{
	struct input in;
	int fd = open(name, O_RDONLY);

	if (fd < 0) {
		main_error("%s: %s", name, strerror(errno));
		return 127;
	}
	fd = redir_move_high(fd);
	sh.arg0 = (char *)name;
	set_params(args);
	input_fd(&in, fd, 0);
	return main_run(&in);
}

static int run_stdin(char **args)
{
	struct input in;

	set_params(args);
	sh.interactive = isatty(0);
	if (sh.interactive)
		input_tty(&in);
	else
		input_fd(&in, 0, 1);
	return main_run(&in);
}

static int run_c(char **argv)
{
	if (!argv[0]) {
		main_error("-c: an argument is needed");
		return 2;
	}
	if (argv[1]) {
		sh.arg0 = argv[1];
		set_params(argv + 2);
	}
	return main_run_string(argv[0]);
}

int main(int argc, char **argv)
{
	int i = 1;

	(void)argc;
	sh.pid = getpid();
	sh.arg0 = argv[0] ? argv[0] : "sh";
	var_init();
	defaults();
	if (argv[i] && strcmp(argv[i], "-c") == 0)
		main_exit(run_c(argv + i + 1));
	if (argv[i] && (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--") == 0))
		main_exit(run_stdin(argv + i + 1));
	if (argv[i] && argv[i][0] == '-' && argv[i][1]) {
		main_error("%s: unknown option", argv[i]);
		main_exit(2);
	}
	if (argv[i])
		main_exit(run_file(argv[i], argv + i + 1));
	main_exit(run_stdin(argv + i));
}
