/*
 * sh: the shell's shared types, state and the functions each file offers.
 *
 * The way a command goes: a source (input.c) hands over lines; lex.c
 * cuts the text into tokens, keeping each word's source text raw (quotes
 * and all, only backslash-newline pairs gone); parse.c builds a tree of
 * and-or lists, pipelines and simple commands from them; exec.c runs the
 * tree, expanding each word (expand.c) only when its command runs, so
 * that "false; echo $?" sees the status of false.
 *
 * Invariants:
 * - a raw word is well formed: lex.c accepted it, so every quote,
 *   ${ and $( in it is closed;
 * - the shell's own descriptors (a script being read, descriptors saved
 *   around a builtin's redirections) are at SH_FD_MIN or above and close
 *   on exec, so that the 0..9 a user may redirect are never the shell's;
 * - the terminal is in raw mode only inside edit_readline;
 * - stdout and stderr are flushed before every fork.
 */
#ifndef SH_H
#define SH_H

#include <stddef.h>
#include <sys/types.h>

#define SH_FD_MIN	10	/* the shell's own descriptors start here */
#define SH_HISTORY	64	/* lines the editor remembers */

extern char **environ;

/* ---- buf.c: growable strings and string vectors ----------------------- */

struct buf {			/* a string; s is NUL-terminated once used */
	char *s;
	size_t len, cap;
};

struct vec {			/* a NULL-terminated vector of strings */
	char **v;
	size_t n, cap;
};

void *buf_alloc(size_t n);		/* malloc, or exit on failure */
void *buf_realloc(void *p, size_t n);
char *buf_strdup(const char *s);
char *buf_strndup(const char *s, size_t n);
void buf_putc(struct buf *b, char c);
void buf_putn(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
char *buf_cstr(struct buf *b);		/* the string ("" if nothing yet) */
char *buf_take(struct buf *b);		/* the string, now the caller's */
void buf_free(struct buf *b);
void buf_vec_push(struct vec *v, char *s);	/* takes s */
void buf_vec_free(struct vec *v);		/* frees the strings too */

/* ---- main.c: the shell's state, the loop over a source ------------------ */

struct shell {
	int status;		/* $? */
	pid_t pid;		/* $$ */
	pid_t last_bg;		/* $! (0: none yet) */
	int interactive;	/* reading commands from a terminal */
	char *arg0;		/* $0 */
	struct vec params;	/* $1 ... */
};

extern struct shell sh;

struct input;
int main_run(struct input *in);		/* every command of @in; the last status */
int main_run_string(const char *text);	/* @text's commands, as sh -c would */
void main_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void main_exit(int status) __attribute__((noreturn));

/* ---- input.c: where command lines come from ----------------------------- */

enum input_kind { INPUT_STRING, INPUT_FD, INPUT_TTY };

struct input {
	enum input_kind kind;
	const char *str;	/* INPUT_STRING: the text and how far it is read */
	size_t pos;
	int fd;			/* INPUT_FD, INPUT_TTY */
	int shared;		/* fd is the commands' stdin too: read no further than a
				   line (1: a byte at a time; 2: seekable, the rest
				   of a chunk given back) */
	char chunk[512];	/* INPUT_FD: bytes read, chunk[next..have) not used yet */
	size_t have, next;
};

void input_string(struct input *in, const char *text);
void input_fd(struct input *in, int fd, int shared);
void input_tty(struct input *in);
char *input_line(struct input *in, int more);	/* malloc'd, with its '\n'; NULL at EOF */
int input_at_end(struct input *in);	/* nothing but blanks left (strings only) */

/* ---- edit.c: line editing on a terminal, and history --------------------- */

char *edit_readline(int fd, const char *prompt);	/* malloc'd, no '\n'; NULL at EOF */
void edit_history_add(const char *line);

/* ---- lex.c: tokens -------------------------------------------------------- */

enum tok_kind {
	T_WORD, T_NEWLINE, T_SEMI, T_AMP, T_AND, T_OR, T_PIPE, T_REDIR, T_LPAREN, T_RPAREN,
	T_EOF
};

enum redir_op {
	R_IN,		/* <  */
	R_OUT,		/* >  and >| */
	R_APPEND,	/* >> */
	R_RDWR,		/* <> */
	R_DUPIN,	/* <& */
	R_DUPOUT,	/* >& */
};

struct token {
	enum tok_kind kind;
	char *text;		/* T_WORD: the raw word */
	enum redir_op op;	/* T_REDIR */
	int fd;			/* T_REDIR: the descriptor redirected (given, or 0 or 1) */
};

struct tokens {
	struct token *t;
	size_t n, cap;
};

enum { LEX_OK, LEX_MORE, LEX_ERROR };	/* also the parser's results */

int lex_text(const char *text, struct tokens *out, const char **err);
void lex_free(struct tokens *toks);
const char *lex_skip_dollar(const char *s);	/* past ${...}, $(...); s at '$' */
const char *lex_skip_backquote(const char *s);	/* past `...`, or NULL */
size_t lex_name_len(const char *s);		/* the variable name at s: 0 if none */
int lex_is_assignment(const char *raw);		/* NAME=... */
const char *lex_token_name(const struct token *t);

/* ---- parse.c: the command tree -------------------------------------------- */

struct redir {
	struct redir *next;
	enum redir_op op;
	int fd;			/* the descriptor redirected */
	char *word;		/* raw: the file, or the descriptor to copy */
};

enum cmd_kind {
	CMD_SIMPLE,		/* NAME=value... word... */
	CMD_SUBSHELL,		/* ( list ): in a child */
	CMD_GROUP,		/* { list; }: in the shell */
};

struct andor;

struct cmd {			/* one stage of a pipeline */
	struct cmd *next;
	enum cmd_kind kind;
	struct vec assigns;	/* CMD_SIMPLE: raw NAME=value words before the name */
	struct vec words;	/* CMD_SIMPLE: raw */
	struct andor *body;	/* CMD_SUBSHELL, CMD_GROUP */
	struct redir *redirs;	/* in the order given */
};

enum { CONN_FIRST, CONN_AND, CONN_OR };

struct pipeline {
	struct pipeline *next;	/* in its and-or list */
	int conn;		/* how it joins the one before */
	int bang;		/* "! ...": the status inverted */
	struct cmd *cmds;
};

struct andor {
	struct andor *next;	/* in the command list */
	int background;		/* ended by & */
	struct pipeline *pipes;
};

int parse_text(const char *text, struct andor **out);	/* LEX_OK, LEX_MORE, LEX_ERROR */
void parse_free(struct andor *list);

/* ---- expand.c: words into fields ------------------------------------------- */

enum { EXPAND_FIELDS, EXPAND_ONE };	/* split into fields, or one string */

int expand_word(const char *raw, int mode, struct vec *out);	/* 0, or -1 (reported) */
char *expand_one(const char *raw);	/* EXPAND_ONE into a string; NULL on error */
extern int expand_subst_status;		/* of the last $(...) run */

/* ---- arith.c: $((...)) ------------------------------------------------------- */

int arith_eval(const char *expr, long *out);	/* 0, or -1 (reported) */

/* ---- var.c: shell variables and the environment ---------------------------- */

void var_init(void);			/* import environ */
const char *var_get(const char *name);
void var_set(const char *name, const char *value, int export);
void var_set_assignment(const char *assign, int export);	/* "NAME=value" */
int var_export(const char *name);
void var_unset(const char *name);
char **var_environ(const struct vec *assigns);	/* exported, with @assigns over them */
void var_print(int exported_only);
int var_valid_name(const char *s);

/* ---- exec.c: running the tree ---------------------------------------------- */

#define EXEC_LAST	1	/* the shell exits after this: exec in place */

int exec_list(struct andor *list, int flags);	/* the status of the last */
int exec_status(int wstatus);			/* $? from a wait status */
void exec_command(char **argv, const struct vec *assigns) __attribute__((noreturn));
pid_t exec_fork(void);				/* fork, flushed first */

/* ---- redir.c: redirections -------------------------------------------------- */

struct saved_fds {		/* descriptors to put back after a builtin */
	int fd[16], copy[16];	/* copy -1: fd was closed */
	int n;
};

int redir_apply(const struct redir *r, struct saved_fds *save);	/* 0 or -1 (reported) */
void redir_restore(struct saved_fds *save);
int redir_move_high(int fd);	/* fd moved to SH_FD_MIN or above, close-on-exec */

/* ---- builtin.c: commands the shell runs itself ------------------------------ */

typedef int (*builtin_fn)(int argc, char **argv);

builtin_fn builtin_find(const char *name);
int builtin_special(const char *name);	/* keeps NAME=value before it */

/* ---- job.c: background jobs -------------------------------------------------- */

void job_add(pid_t pid);
void job_report(void);		/* reap finished jobs and say so */
int job_wait_all(void);
int job_wait_pid(pid_t pid);	/* its status, or 127 if it is no child */
void job_forget_all(void);	/* in a new subshell: the jobs are not its */

#endif
