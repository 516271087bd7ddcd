/*
 * Intrusive doubly linked lists (circular, with a head node).  The owner
 * of a list says which lock guards it.
 */
#ifndef NUTHATCH_LIST_H
#define NUTHATCH_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

static inline void list_init(struct list_node *h)
{
	h->next = h->prev = h;
}

static inline bool list_empty(const struct list_node *h)
{
	return h->next == h;
}

/* Insert @n before @pos (at the tail when @pos is the head). */
static inline void list_insert_before(struct list_node *pos,
				      struct list_node *n)
{
	n->prev = pos->prev;
	n->next = pos;
	pos->prev->next = n;
	pos->prev = n;
}

static inline void list_add_tail(struct list_node *h, struct list_node *n)
{
	list_insert_before(h, n);
}

static inline void list_add_head(struct list_node *h, struct list_node *n)
{
	list_insert_before(h->next, n);
}

static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* Is @n linked into some list?  (Deleted nodes point at themselves.) */
static inline bool list_linked(const struct list_node *n)
{
	return n->next != n;
}

#define list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#endif
