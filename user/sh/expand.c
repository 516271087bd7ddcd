/*
 * Word expansion, done when a command runs: a raw word's quotes and
 * backslashes come off; $NAME ${NAME} ${NAME:-word} (and :=, :+, -, =,
 * +, ${#NAME}) $? $$ $# $0..$9 $@ $* $! $(...) `...` and $((...)) are
 * replaced; a leading ~ becomes $HOME; and what an unquoted expansion
 * gave is split into fields at the IFS characters.  (No pathname
 * expansion: there is no glob.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

int expand_subst_status;

struct fields {
	struct vec *out;
	struct buf cur;		/* the field being built */
	int have;		/* cur is a field even if empty ("" was seen) */
	int after_blank;	/* a field just ended at IFS white space */
	int split;		/* EXPAND_FIELDS */
	int split_literal;	/* in the word of an unquoted ${NAME-word}: its plain
				   characters are split as an expansion's */
	const char *ifs;
};

static void end_field(struct fields *f)
{
	if (!f->have)
		return;
	buf_vec_push(f->out, buf_take(&f->cur));
	f->have = 0;
}

/* Text that is not split: literal or quoted. */
static void add_text(struct fields *f, const char *s, size_t n)
{
	buf_putn(&f->cur, s, n);
	f->have = 1;
	f->after_blank = 0;
}

/* IFS white space: it ends a field, if one has begun. */
static void split_blank(struct fields *f)
{
	if (!f->have)
		return;
	end_field(f);
	f->after_blank = 1;
}

/* Any other IFS character ends a field, even an empty one, but for the
 * one that white space just ended. */
static void split_delimiter(struct fields *f)
{
	if (!f->have && f->after_blank) {
		f->after_blank = 0;
		return;
	}
	f->have = 1;
	end_field(f);
	f->after_blank = 0;
}

/* An unquoted expansion's value: split at IFS characters. */
static void add_split(struct fields *f, const char *s)
{
	if (!f->split) {
		add_text(f, s, strlen(s));
		return;
	}
	for (; *s; s++) {
		if (!strchr(f->ifs, *s))
			add_text(f, s, 1);
		else if (strchr(" \t\n", *s))
			split_blank(f);
		else
			split_delimiter(f);
	}
}

static void add_value(struct fields *f, const char *s, int quoted)
{
	if (quoted)
		add_text(f, s, strlen(s));
	else
		add_split(f, s);
}

/* $@ and $*: each parameter its own field where fields are split or
 * quoted "$@" asks for that; joined with spaces otherwise. */
static void add_params(struct fields *f, int at, int quoted)
{
	for (size_t i = 0; i < sh.params.n; i++) {
		if (i > 0 && quoted && at && f->split) {
			f->have = 1;
			end_field(f);
			f->have = 1;
		} else if (i > 0 && (quoted || !f->split)) {
			add_text(f, " ", 1);
		} else if (i > 0) {
			end_field(f);
		}
		add_value(f, sh.params.v[i], quoted);
	}
}

/* A special parameter's value into @num's room; NULL if @c names none. */
static const char *special(char c, char *num, size_t room)
{
	if (c == '?' || c == '$' || c == '#' || c == '!') {
		long v = c == '?' ? sh.status : c == '$' ? sh.pid
		       : c == '#' ? (long)sh.params.n : sh.last_bg;

		if (c == '!' && !sh.last_bg)
			return "";
		snprintf(num, room, "%ld", v);
		return num;
	}
	if (c == '-')
		return sh.interactive ? "i" : "";
	if (c == '0')
		return sh.arg0;
	if (c >= '1' && c <= '9')
		return (size_t)(c - '0') <= sh.params.n ? sh.params.v[c - '1'] : NULL;
	return NULL;
}

/* The value of parameter @name (@len bytes), NULL if unset. */
static const char *param(const char *name, size_t len, char *num, size_t room)
{
	char key[256];

	if (len == 1 && !lex_name_len(name))
		return special(*name, num, room);
	if (len > 1 && name[0] >= '0' && name[0] <= '9') {
		long n = strtol(name, NULL, 10);

		return n >= 1 && (size_t)n <= sh.params.n ? sh.params.v[n - 1] : NULL;
	}
	if (len >= sizeof(key))
		return NULL;
	memcpy(key, name, len);
	key[len] = 0;
	return var_get(key);
}

static const char *bad_subst(const char *s, size_t n)
{
	main_error("%.*s: bad substitution", (int)n, s);
	return NULL;
}

/* In the child of a command substitution: @cmd run, stdout into pipe @p. */
static void subst_child(const char *cmd, const int p[2])
{
	close(p[0]);
	dup2(p[1], 1);
	close(p[1]);
	job_forget_all();
	sh.interactive = 0;
	main_exit(main_run_string(cmd));
}

/* All that can be read from @fd. */
static void read_all(int fd, struct buf *out)
{
	char chunk[512];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		buf_putn(out, chunk, n > 0 ? (size_t)n : 0);
}

/* The output of @text run as commands, trailing newlines cut. */
static char *substitute(const char *text, size_t len)
{
	char *cmd = buf_strndup(text, len);
	struct buf out = { 0 };
	int p[2] = { -1, -1 }, st = 0;
	pid_t pid = pipe(p) < 0 ? -1 : exec_fork();

	if (pid == 0)
		subst_child(cmd, p);
	free(cmd);
	close(p[1]);
	if (pid < 0) {
		main_error("command substitution: %s", strerror(errno));
		close(p[0]);
		expand_subst_status = 2;
		return buf_strdup("");
	}
	read_all(p[0], &out);
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	expand_subst_status = exec_status(st);
	while (out.len && out.s[out.len - 1] == '\n')
		out.s[--out.len] = 0;
	return buf_take(&out);
}

static void add_subst(struct fields *f, const char *text, size_t len, int quoted)
{
	char *s = substitute(text, len);

	add_value(f, s, quoted);
	free(s);
}

/* `...`: its text with \` \\ \$ unescaped, run. */
static const char *backquote(struct fields *f, const char *s, int quoted)
{
	const char *end = lex_skip_backquote(s);
	struct buf text = { 0 };

	if (!end)
		return bad_subst(s, strlen(s));
	for (s++; s < end - 1; s++) {
		if (*s == '\\' && strchr("`\\$", s[1]))
			s++;
		buf_putc(&text, *s);
	}
	add_subst(f, buf_cstr(&text), text.len, quoted);
	buf_free(&text);
	return end;
}

/* What ${NAME op word} comes to. */
enum { BR_VALUE, BR_EMPTY, BR_WORD, BR_ASSIGN, BR_BAD };

/* The operator at @op (past the name) applied to the value @v; *word is
 * where the word after it starts. */
static int operate(const char *v, const char *op, const char **word)
{
	int colon = *op == ':', set = v && (!colon || *v);
	char c = op[colon];

	*word = op + colon + 1;
	if (c == '}' && !colon)
		return BR_VALUE;
	if (!strchr("-=+", c))
		return BR_BAD;
	if ((c == '+') != !!set)
		return c == '+' ? BR_EMPTY : BR_VALUE;
	return c == '=' ? BR_ASSIGN : BR_WORD;
}

static const char *piece(struct fields *f, const char *s);
static const char *dq_inside(struct fields *f, const char *s, int to_end);

/* The raw word from @from to @to expanded into @f, quoted or not as the
 * ${...} around it; 0 on error. */
static int word_into(struct fields *f, const char *from, const char *to, int quoted)
{
	char *word = buf_strndup(from, (size_t)(to - from));
	const char *s = word;

	int was = f->split_literal;

	f->split_literal = !quoted;
	if (quoted)
		s = dq_inside(f, s, 1);
	while (s && *s)
		s = piece(f, s);
	f->split_literal = was;
	free(word);
	return s != NULL;
}

/* ${NAME=word}: NAME set to the word's value, which is returned. */
static char *assign_word(const char *name, size_t len, const char *from, const char *to)
{
	char *word = buf_strndup(from, (size_t)(to - from)), *value = expand_one(word), *nm;

	free(word);
	if (!value)
		return NULL;
	if (lex_name_len(name) != len) {
		main_error("%.*s: cannot assign this way", (int)len, name);
		free(value);
		return NULL;
	}
	nm = buf_strndup(name, len);
	var_set(nm, value, 0);
	free(nm);
	return value;
}

/* The length of the parameter's name at @name, ending by @end. */
static size_t param_len(const char *name, const char *end)
{
	size_t len = lex_name_len(name);

	if (len || name >= end)
		return len;
	if (*name >= '0' && *name <= '9')
		return strspn(name, "0123456789");
	return strchr("?$#!-@*", *name) ? 1 : 0;
}

/* A parameter's value, or its length for ${#NAME}. */
static void add_param(struct fields *f, const char *v, int hash, int quoted)
{
	char n[32];

	if (hash) {
		snprintf(n, sizeof(n), "%zu", strlen(v));
		v = n;
	}
	add_value(f, v, quoted);
}

/* ${...} at @s; past it, or NULL after an error. */
static const char *braces(struct fields *f, const char *s, int quoted)
{
	const char *end = lex_skip_dollar(s), *name = s + 2, *v, *word;
	char num[32], *keep;
	int hash;
	size_t len;

	if (!end)
		return bad_subst(s, strlen(s));
	end--;
	hash = *name == '#' && name + 1 < end;
	name += hash;
	len = param_len(name, end);
	if (!len || (hash && name + len != end))
		return bad_subst(s, (size_t)(end - s + 1));
	v = param(name, len, num, sizeof(num));
	switch (operate(v, name + len, &word)) {
	case BR_BAD:
		return bad_subst(s, (size_t)(end - s + 1));
	case BR_EMPTY:
		v = "";
		/* fall through */
	case BR_VALUE:
		add_param(f, v ? v : "", hash, quoted);
		break;
	case BR_WORD:
		if (!word_into(f, word, end, quoted))
			return NULL;
		break;
	case BR_ASSIGN:
		if (!(keep = assign_word(name, len, word, end)))
			return NULL;
		add_value(f, keep, quoted);
		free(keep);
	}
	return end + 1;
}

/* $((...)) at @s (or $( (...) ... ), a command substitution after all). */
static const char *arithmetic(struct fields *f, const char *s, int quoted)
{
	const char *end = lex_skip_dollar(s);
	char *text, *expr, num[32];
	long v;
	int r;

	if (!end)
		return bad_subst(s, strlen(s));
	if (end - s < 5 || end[-2] != ')') {
		add_subst(f, s + 2, (size_t)(end - s - 3), quoted);
		return end;
	}
	text = buf_strndup(s + 3, (size_t)(end - s - 5));
	expr = expand_one(text);
	r = expr ? arith_eval(expr, &v) : -1;
	free(text);
	free(expr);
	if (r < 0)
		return NULL;
	snprintf(num, sizeof(num), "%ld", v);
	add_value(f, num, quoted);
	return end;
}

/* A $ form at @s; past it, or NULL on error. */
static const char *dollar(struct fields *f, const char *s, int quoted)
{
	size_t len = lex_name_len(s + 1);
	char num[32];
	const char *v;

	if (s[1] == '{')
		return braces(f, s, quoted);
	if (s[1] == '(' && s[2] == '(')
		return arithmetic(f, s, quoted);
	if (s[1] == '(') {
		const char *end = lex_skip_dollar(s);

		if (!end)
			return bad_subst(s, strlen(s));
		add_subst(f, s + 2, (size_t)(end - s - 3), quoted);
		return end;
	}
	if (s[1] == '@' || s[1] == '*') {
		add_params(f, s[1] == '@', quoted);
		return s + 2;
	}
	if (!len && s[1] && strchr("?$#!-0123456789", s[1]))
		len = 1;
	if (!len) {
		add_text(f, "$", 1);
		return s + 1;
	}
	v = param(s + 1, len, num, sizeof(num));
	add_value(f, v ? v : "", quoted);
	return s + 1 + len;
}

/* The inside of "..." from @s: up to the closing quote (or, @to_end, to
 * the end of @s, the quotes in it only taken off); where it stopped, or
 * NULL on error. */
static const char *dq_inside(struct fields *f, const char *s, int to_end)
{
	while (s && *s && (to_end || *s != '"')) {
		if (*s == '\\' && s[1] == '\n') {
			s += 2;
		} else if (*s == '\\' && strchr("$`\"\\", s[1])) {
			add_text(f, s + 1, 1);
			s += 2;
		} else if (*s == '$') {
			s = dollar(f, s, 1);
		} else if (*s == '`') {
			s = backquote(f, s, 1);
		} else if (*s == '"') {
			s++;
		} else {
			add_text(f, s++, 1);
		}
	}
	return s;
}

/* "...": past the closing quote, or NULL on error. */
static const char *dquoted(struct fields *f, const char *s)
{
	f->have = 1;
	s = dq_inside(f, s + 1, 0);
	if (s && !*s)
		return bad_subst("\"", 1);
	return s ? s + 1 : NULL;
}

/* One piece of an unquoted word: past it, or NULL on error. */
static const char *piece(struct fields *f, const char *s)
{
	const char *end;

	switch (*s) {
	case '\'':
		end = strchr(s + 1, '\'');
		if (!end)
			return bad_subst(s, strlen(s));
		add_text(f, s + 1, (size_t)(end - s - 1));
		return end + 1;
	case '"':
		return dquoted(f, s);
	case '$':
		return dollar(f, s, 0);
	case '`':
		return backquote(f, s, 0);
	case '\\':
		if (s[1] == '\n')
			return s + 2;
		add_text(f, s[1] ? s + 1 : s, 1);
		return s[1] ? s + 2 : s + 1;
	default:
		if (f->split_literal) {
			char c[2] = { *s, 0 };

			add_split(f, c);
		} else {
			add_text(f, s, 1);
		}
		return s + 1;
	}
}

/* A leading ~ or ~/...: $HOME. */
static const char *tilde(struct fields *f, const char *s)
{
	const char *home = var_get("HOME");

	if (s[0] != '~' || (s[1] && s[1] != '/') || !home)
		return s;
	add_text(f, home, strlen(home));
	return s + 1;
}

int expand_word(const char *raw, int mode, struct vec *out)
{
	struct fields f = { out, { 0 }, 0, 0, mode == EXPAND_FIELDS, 0, var_get("IFS") };
	const char *s = raw;

	if (!f.ifs)
		f.ifs = " \t\n";
	if (strcmp(raw, "\"$@\"") == 0 && !sh.params.n && f.split)
		return 0;
	for (s = tilde(&f, s); s && *s; )
		s = piece(&f, s);
	if (!s) {
		buf_free(&f.cur);
		return -1;
	}
	if (mode == EXPAND_ONE)
		f.have = 1;
	end_field(&f);
	return 0;
}

char *expand_one(const char *raw)
{
	struct vec v = { 0 };
	char *s;

	if (expand_word(raw, EXPAND_ONE, &v) < 0) {
		buf_vec_free(&v);
		return NULL;
	}
	s = v.v[0];
	free(v.v);
	return s;
}
