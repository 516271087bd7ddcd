/*
 * The lexer: command text into words and operators.  A word keeps its
 * source text (quotes, backslashes, $ forms) for expand.c to read when
 * its command runs; here it is only found where it ends, which needs
 * every quote and ${ } $( ) ` ` pair in it matched.  Text that stops
 * inside one of those (or after a backslash) is LEX_MORE: the caller
 * reads another line and tries again.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Ends a word: blanks, newline and the operator characters. */
static int is_meta(char c)
{
	return !c || is_blank(c) || strchr("\n;&|<>()", c);
}

size_t lex_name_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

int lex_is_assignment(const char *raw)
{
	size_t n = lex_name_len(raw);

	return n > 0 && raw[n] == '=';
}

const char *lex_skip_backquote(const char *s)
{
	for (s++; *s != '`'; s++) {
		if (!*s || (*s == '\\' && !*++s))
			return NULL;
	}
	return s + 1;
}

static const char *skip_quoted(const char *s);

/* Past a quoted or escaped piece or a $ form at @s (NULL if it does not
 * end), or @s itself if none starts there. */
static const char *skip_piece(const char *s)
{
	switch (*s) {
	case '\'':
	case '"':
		return skip_quoted(s);
	case '`':
		return lex_skip_backquote(s);
	case '$':
		return lex_skip_dollar(s);
	case '\\':	/* a backslash-newline ending the text: more to come */
		return s[1] && !(s[1] == '\n' && !s[2]) ? s + 2 : NULL;
	default:
		return s;
	}
}

/* Past the @close that ends the ${ or $( just before @s. */
static const char *skip_to(const char *s, char open, char close)
{
	int depth = 1;

	while (*s) {
		const char *q = skip_piece(s);

		if (q != s) {
			if (!q)
				return NULL;
			s = q;
			continue;
		}
		if (*s == open)
			depth++;
		else if (*s == close && --depth == 0)
			return s + 1;
		s++;
	}
	return NULL;
}

const char *lex_skip_dollar(const char *s)
{
	if (s[1] == '{')
		return skip_to(s + 2, 0, '}');
	if (s[1] == '(')
		return skip_to(s + 2, '(', ')');
	return s + 1;
}

/* Past the "..." at @s, with the $ forms and escapes inside it. */
static const char *skip_dquoted(const char *s)
{
	for (s++; *s != '"'; ) {
		if (!*s)
			return NULL;
		if (*s == '\\') {
			if (!s[1])
				return NULL;
			s += 2;
		} else if (*s == '$' || *s == '`') {
			s = *s == '$' ? lex_skip_dollar(s) : lex_skip_backquote(s);
			if (!s)
				return NULL;
		} else {
			s++;
		}
	}
	return s + 1;
}

static const char *skip_quoted(const char *s)
{
	const char *end;

	if (*s == '"')
		return skip_dquoted(s);
	end = strchr(s + 1, '\'');
	return end ? end + 1 : NULL;
}

/* The end of the word at @s, or NULL if the text ends inside it. */
static const char *word_end(const char *s)
{
	while (!is_meta(*s)) {
		const char *q = skip_piece(s);

		if (!q)
			return NULL;
		s = q == s ? s + 1 : q;
	}
	return s;
}

static struct token *push(struct tokens *toks, enum tok_kind kind)
{
	struct token *t;

	if (toks->n == toks->cap) {
		toks->cap = toks->cap ? toks->cap * 2 : 16;
		toks->t = buf_realloc(toks->t, toks->cap * sizeof(*toks->t));
	}
	t = &toks->t[toks->n++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->fd = -1;
	return t;
}

struct op {
	const char *text;
	enum tok_kind kind;
	enum redir_op redir;
};

/* Longest first where one is the other's start. */
static const struct op ops[] = {
	{ "&&", T_AND, 0 },	{ "||", T_OR, 0 },	{ "&", T_AMP, 0 },
	{ "|", T_PIPE, 0 },	{ ";", T_SEMI, 0 },	{ "(", T_LPAREN, 0 },
	{ ")", T_RPAREN, 0 },	{ ">>", T_REDIR, R_APPEND },
	{ ">&", T_REDIR, R_DUPOUT }, { ">|", T_REDIR, R_OUT }, { ">", T_REDIR, R_OUT },
	{ "<&", T_REDIR, R_DUPIN }, { "<>", T_REDIR, R_RDWR }, { "<", T_REDIR, R_IN },
};

/* The operator at @s as a token; its length, or 0 (with *err) if none. */
static size_t lex_op(const char *s, int fd, struct tokens *toks, const char **err)
{
	struct token *t;

	if (s[0] == '<' && s[1] == '<') {
		*err = "here-documents are not supported";
		return 0;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if (strncmp(s, ops[i].text, n) != 0)
			continue;
		t = push(toks, ops[i].kind);
		t->op = ops[i].redir;
		t->fd = fd >= 0 ? fd : ops[i].redir == R_IN || ops[i].redir == R_DUPIN ||
				       ops[i].redir == R_RDWR ? 0 : 1;
		return n;
	}
	*err = "unexpected operator";	/* not reached: every first byte is in ops */
	return 0;
}

/* Blanks, backslash-newlines and a comment; NULL if a backslash-newline
 * ends the text (the line goes on in the next). */
static const char *skip_space(const char *s)
{
	for (;;) {
		if (is_blank(*s))
			s++;
		else if (s[0] == '\\' && s[1] == '\n' && !s[2])
			return NULL;
		else if (s[0] == '\\' && s[1] == '\n')
			s += 2;
		else if (*s == '#')
			s += strcspn(s, "\n");
		else
			return s;
	}
}

/* The operator at @s (after a descriptor number @fd, or -1), or NULL
 * with *result set. */
static const char *op_token(const char *s, int fd, struct tokens *toks, const char **err,
			    int *result)
{
	size_t n = lex_op(s, fd, toks, err);

	if (n)
		return s + n;
	*result = LEX_ERROR;
	return NULL;
}

/* One token at @s; past it, or NULL with *result set. */
static const char *lex_one(const char *s, struct tokens *toks, const char **err, int *result)
{
	const char *end;

	if (*s == '\n') {
		push(toks, T_NEWLINE);
		return s + 1;
	}
	if (isdigit((unsigned char)s[0]) && (s[1] == '<' || s[1] == '>'))
		return op_token(s + 1, s[0] - '0', toks, err, result);
	if (strchr(";&|<>()", *s))
		return op_token(s, -1, toks, err, result);
	end = word_end(s);
	if (!end) {
		*result = LEX_MORE;
		return NULL;
	}
	push(toks, T_WORD)->text = buf_strndup(s, (size_t)(end - s));
	return end;
}

int lex_text(const char *text, struct tokens *out, const char **err)
{
	const char *s = text;
	int result = LEX_OK;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	while ((s = skip_space(s)) && *s) {
		s = lex_one(s, out, err, &result);
		if (!s)
			break;
	}
	if (!s) {
		lex_free(out);
		return result == LEX_OK ? LEX_MORE : result;
	}
	push(out, T_EOF);
	return LEX_OK;
}

void lex_free(struct tokens *toks)
{
	for (size_t i = 0; i < toks->n; i++)
		free(toks->t[i].text);
	free(toks->t);
	memset(toks, 0, sizeof(*toks));
}

const char *lex_token_name(const struct token *t)
{
	static const char *const names[] = {
		[T_NEWLINE] = "newline", [T_SEMI] = ";", [T_AMP] = "&", [T_AND] = "&&",
		[T_OR] = "||", [T_PIPE] = "|", [T_LPAREN] = "(", [T_RPAREN] = ")",
		[T_EOF] = "end of file",
	};
	static const char *const redirs[] = {
		[R_IN] = "<", [R_OUT] = ">", [R_APPEND] = ">>", [R_RDWR] = "<>",
		[R_DUPIN] = "<&", [R_DUPOUT] = ">&",
	};

	if (t->kind == T_WORD)
		return t->text;
	return t->kind == T_REDIR ? redirs[t->op] : names[t->kind];
}
