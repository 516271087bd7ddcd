/*
 * Shell variables: one list, sorted by name, each variable exported or
 * not.  The environment a command gets is built from the exported ones
 * (var_environ) when it is about to run; the shell's own environ is left
 * as it was at startup.  A variable exported before it has a value
 * ("export X") has value NULL: unset, but exported once set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct var {
	struct var *next;
	char *name;
	char *value;		/* NULL: not set (only kept when exported) */
	int exported;
};

static struct var *vars;

int var_valid_name(const char *s)
{
	size_t n = lex_name_len(s);

	return n > 0 && !s[n];
}

/* The link to @name's variable (@len bytes), or where it would go. */
static struct var **find(const char *name, size_t len)
{
	struct var **link = &vars;

	for (; *link; link = &(*link)->next) {
		int c = strncmp((*link)->name, name, len);

		if (c >= 0)	/* a name @name starts is not less than it */
			break;
	}
	return link;
}

static struct var *lookup(const char *name, size_t len)
{
	struct var *v = *find(name, len);

	return v && strlen(v->name) == len && strncmp(v->name, name, len) == 0 ? v : NULL;
}

/* @name's variable, made (unset, not exported) if there is none. */
static struct var *make(const char *name, size_t len)
{
	struct var **link = find(name, len), *v = lookup(name, len);

	if (v)
		return v;
	v = buf_alloc(sizeof(*v));
	v->name = buf_strndup(name, len);
	v->value = NULL;
	v->exported = 0;
	v->next = *link;
	*link = v;
	return v;
}

const char *var_get(const char *name)
{
	struct var *v = lookup(name, strlen(name));

	return v ? v->value : NULL;
}

static void set_len(const char *name, size_t len, const char *value, int export)
{
	struct var *v = make(name, len);
	char *copy = buf_strdup(value);	/* value may be v->value itself */

	free(v->value);
	v->value = copy;
	v->exported |= export;
}

void var_set(const char *name, const char *value, int export)
{
	set_len(name, strlen(name), value, export);
}

void var_set_assignment(const char *assign, int export)
{
	const char *eq = strchr(assign, '=');

	if (eq)
		set_len(assign, (size_t)(eq - assign), eq + 1, export);
}

int var_export(const char *name)
{
	if (!var_valid_name(name))
		return -1;
	make(name, strlen(name))->exported = 1;
	return 0;
}

void var_unset(const char *name)
{
	struct var **link = find(name, strlen(name)), *v = *link;

	if (!v || strcmp(v->name, name) != 0)
		return;
	*link = v->next;
	free(v->name);
	free(v->value);
	free(v);
}

void var_init(void)
{
	for (char **e = environ; e && *e; e++) {
		size_t n = lex_name_len(*e);

		if (n && (*e)[n] == '=')
			set_len(*e, n, *e + n + 1, 1);
	}
}

/* Is @v's name among the NAME=value strings of @assigns? */
static int overridden(const struct var *v, const struct vec *assigns)
{
	size_t n = strlen(v->name);

	for (size_t i = 0; assigns && i < assigns->n; i++)
		if (strncmp(assigns->v[i], v->name, n) == 0 && assigns->v[i][n] == '=')
			return 1;
	return 0;
}

char **var_environ(const struct vec *assigns)
{
	struct vec env = { 0 };
	struct buf b = { 0 };

	for (size_t i = 0; assigns && i < assigns->n; i++)
		buf_vec_push(&env, buf_strdup(assigns->v[i]));
	for (struct var *v = vars; v; v = v->next) {
		if (!v->exported || !v->value || overridden(v, assigns))
			continue;
		buf_puts(&b, v->name);
		buf_putc(&b, '=');
		buf_puts(&b, v->value);
		buf_vec_push(&env, buf_take(&b));
	}
	if (!env.v) {
		env.v = buf_alloc(sizeof(*env.v));
		env.v[0] = NULL;
	}
	return env.v;
}

/* @s in single quotes, each ' in it as '\''. */
static void print_quoted(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

void var_print(int exported_only)
{
	for (struct var *v = vars; v; v = v->next) {
		if (exported_only ? !v->exported : !v->value)
			continue;
		if (exported_only)
			fputs("export ", stdout);
		fputs(v->name, stdout);
		if (v->value) {
			putchar('=');
			print_quoted(v->value);
		}
		putchar('\n');
	}
}
