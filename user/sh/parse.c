/*
 * The parser: tokens into the command tree of sh.h, by recursive descent
 * over this grammar (a subset of POSIX's):
 *
 *	list	 := and_or ((';' | '&' | newline) and_or)* [';' | '&']
 *	and_or	 := pipeline (('&&' | '||') newline* pipeline)*
 *	pipeline := ['!'] command ('|' newline* command)*
 *	command	 := simple | '(' list ')' redirection* | '{' list '}' redirection*
 *	simple	 := (NAME=value)* (word | redirection)+	-- at least one item
 *
 * ("{" and "}" are words, reserved where a command starts.)
 *
 * A command missing at the end of the text (after "&&", "|", "!") makes
 * the text LEX_MORE; any other unexpected token is a syntax error,
 * reported here.
 */
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct parser {
	struct token *t;	/* the tokens, ending in T_EOF */
	size_t i;		/* the next one */
	int result;		/* LEX_OK until something goes wrong */
};

static enum tok_kind peek(struct parser *p)
{
	return p->t[p->i].kind;
}

/* The current token was not expected: an error, or more text wanted. */
static void fail(struct parser *p)
{
	struct token *t = &p->t[p->i];

	if (p->result != LEX_OK)
		return;
	if (t->kind == T_EOF) {
		p->result = LEX_MORE;
		return;
	}
	main_error("syntax error: unexpected '%s'", lex_token_name(t));
	p->result = LEX_ERROR;
}

static void skip_newlines(struct parser *p)
{
	while (peek(p) == T_NEWLINE)
		p->i++;
}

/* The word token at p->i, now the caller's. */
static char *take_word(struct parser *p)
{
	char *w = p->t[p->i].text;

	p->t[p->i++].text = NULL;
	return w;
}

static void free_redirs(struct redir *r)
{
	while (r) {
		struct redir *next = r->next;

		free(r->word);
		free(r);
		r = next;
	}
}

static void free_cmds(struct cmd *c)
{
	while (c) {
		struct cmd *next = c->next;

		buf_vec_free(&c->assigns);
		buf_vec_free(&c->words);
		parse_free(c->body);
		free_redirs(c->redirs);
		free(c);
		c = next;
	}
}

static void free_pipes(struct pipeline *pl)
{
	while (pl) {
		struct pipeline *next = pl->next;

		free_cmds(pl->cmds);
		free(pl);
		pl = next;
	}
}

void parse_free(struct andor *list)
{
	while (list) {
		struct andor *next = list->next;

		free_pipes(list->pipes);
		free(list);
		list = next;
	}
}

/* A redirection operator and its word, onto the end of @tail's list. */
static struct redir **redirection(struct parser *p, struct redir **tail)
{
	struct token *op = &p->t[p->i++];
	struct redir *r;

	if (peek(p) != T_WORD) {
		if (peek(p) == T_EOF)
			p->t[p->i].kind = T_NEWLINE;	/* the command's end, not more text */
		fail(p);
		return tail;
	}
	r = buf_alloc(sizeof(*r));
	r->next = NULL;
	r->op = op->op;
	r->fd = op->fd;
	r->word = take_word(p);
	*tail = r;
	return &r->next;
}

/* Is the token at p->i the reserved word @w? */
static int reserved(struct parser *p, const char *w)
{
	return peek(p) == T_WORD && strcmp(p->t[p->i].text, w) == 0;
}

static struct cmd *new_cmd(enum cmd_kind kind)
{
	struct cmd *c = buf_alloc(sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	return c;
}

static struct andor *list(struct parser *p, const char *close);

/* ( list ) or { list }, and the redirections after it. */
static struct cmd *compound(struct parser *p)
{
	struct cmd *c = new_cmd(peek(p) == T_LPAREN ? CMD_SUBSHELL : CMD_GROUP);
	const char *close = c->kind == CMD_SUBSHELL ? ")" : "}";
	struct redir **tail = &c->redirs;

	p->i++;
	c->body = list(p, close);
	if (p->result == LEX_OK && (!c->body || !(c->kind == CMD_SUBSHELL ? peek(p) == T_RPAREN
								   : reserved(p, "}"))))
		fail(p);
	if (p->result == LEX_OK)
		p->i++;
	while (p->result == LEX_OK && peek(p) == T_REDIR)
		tail = redirection(p, tail);
	if (p->result != LEX_OK) {
		free_cmds(c);
		return NULL;
	}
	return c;
}

static struct cmd *command(struct parser *p)
{
	struct cmd *c;
	struct redir **tail;

	if (peek(p) == T_LPAREN || reserved(p, "{"))
		return compound(p);
	c = new_cmd(CMD_SIMPLE);
	tail = &c->redirs;
	while (p->result == LEX_OK) {
		if (peek(p) == T_REDIR) {
			tail = redirection(p, tail);
		} else if (peek(p) != T_WORD) {
			break;
		} else if (!c->words.n && lex_is_assignment(p->t[p->i].text)) {
			buf_vec_push(&c->assigns, take_word(p));
		} else {
			buf_vec_push(&c->words, take_word(p));
		}
	}
	if (!c->words.n && !c->assigns.n && !c->redirs)
		fail(p);
	if (p->result != LEX_OK) {
		free_cmds(c);
		return NULL;
	}
	return c;
}

static struct pipeline *pipeline(struct parser *p, int conn)
{
	struct pipeline *pl = buf_alloc(sizeof(*pl));
	struct cmd **tail = &pl->cmds;

	memset(pl, 0, sizeof(*pl));
	pl->conn = conn;
	if (peek(p) == T_WORD && strcmp(p->t[p->i].text, "!") == 0) {
		pl->bang = 1;
		p->i++;
	}
	while ((*tail = command(p)) != NULL) {
		tail = &(*tail)->next;
		if (peek(p) != T_PIPE)
			return pl;
		p->i++;
		skip_newlines(p);
	}
	free_pipes(pl);
	return NULL;
}

static struct andor *and_or(struct parser *p)
{
	struct andor *ao = buf_alloc(sizeof(*ao));
	struct pipeline **tail = &ao->pipes;
	int conn = CONN_FIRST;

	memset(ao, 0, sizeof(*ao));
	while ((*tail = pipeline(p, conn)) != NULL) {
		tail = &(*tail)->next;
		if (peek(p) != T_AND && peek(p) != T_OR)
			return ao;
		conn = peek(p) == T_AND ? CONN_AND : CONN_OR;
		p->i++;
		skip_newlines(p);
	}
	parse_free(ao);
	return NULL;
}

/* Does the token at p->i end the list (@close: ")", "}" or NULL)? */
static int list_end(struct parser *p, const char *close)
{
	if (peek(p) == T_EOF)
		return 1;
	if (!close)
		return 0;
	return *close == ')' ? peek(p) == T_RPAREN : reserved(p, close);
}

/* A list up to @close (or the end); NULL for an empty one or on failure
 * (p->result). */
static struct andor *list(struct parser *p, const char *close)
{
	struct andor *head = NULL, **tail = &head;

	skip_newlines(p);
	while (!list_end(p, close) && (*tail = and_or(p)) != NULL) {
		enum tok_kind k = peek(p);

		if (k == T_AMP || k == T_SEMI) {
			(*tail)->background = k == T_AMP;
			p->i++;
		} else if (k != T_NEWLINE && !list_end(p, close)) {
			fail(p);
			break;
		}
		tail = &(*tail)->next;
		skip_newlines(p);
	}
	if (p->result != LEX_OK) {
		parse_free(head);
		return NULL;
	}
	return head;
}

int parse_text(const char *text, struct andor **out)
{
	struct tokens toks;
	struct parser p;
	const char *err;
	int r = lex_text(text, &toks, &err);

	*out = NULL;
	if (r != LEX_OK) {
		if (r == LEX_ERROR)
			main_error("syntax error: %s", err);
		return r;
	}
	p.t = toks.t;
	p.i = 0;
	p.result = LEX_OK;
	*out = list(&p, NULL);
	if (p.result == LEX_OK && peek(&p) != T_EOF)
		fail(&p);
	if (p.result != LEX_OK) {
		parse_free(*out);
		*out = NULL;
	}
	lex_free(&toks);
	return p.result;
}
