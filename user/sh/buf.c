/*
 * Memory for the rest of the shell: allocation that does not fail (the
 * shell exits when memory is gone), growable strings and NULL-terminated
 * string vectors such as argv.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

static void out_of_memory(void)
{
	static const char msg[] = "sh: out of memory\n";

	write(2, msg, sizeof(msg) - 1);
	_exit(2);
}

void *buf_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *buf_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *buf_strndup(const char *s, size_t n)
{
	char *d = buf_alloc(n + 1);

	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

char *buf_strdup(const char *s)
{
	return buf_strndup(s, strlen(s));
}

/* Room for @more bytes and the NUL after them. */
static void reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	while (b->len + more + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 32;
	b->s = buf_realloc(b->s, b->cap);
}

void buf_putn(struct buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void buf_putc(struct buf *b, char c)
{
	buf_putn(b, &c, 1);
}

void buf_puts(struct buf *b, const char *s)
{
	buf_putn(b, s, strlen(s));
}

char *buf_cstr(struct buf *b)
{
	reserve(b, 0);
	b->s[b->len] = 0;
	return b->s;
}

char *buf_take(struct buf *b)
{
	char *s = buf_cstr(b);

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void buf_vec_push(struct vec *v, char *s)
{
	if (v->n + 2 > v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = buf_realloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n++] = s;
	v->v[v->n] = NULL;
}

void buf_vec_free(struct vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}
