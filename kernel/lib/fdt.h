/*
 * Bounds-checked reader for flattened device trees (DTB), written from the
 * Devicetree Specification v0.4, chapter 5 "Flattened Devicetree (DTB)
 * Format".  Freestanding: no allocation, no recursion, only kstring.h.
 *
 * fdt_open() validates the whole blob once; every other function still
 * checks each read against the blocks' bounds, so none of them can read
 * outside [blob, blob + totalsize) even on a struct they were not meant
 * to see.  Nodes are named by their offset in the structure block (the
 * offset of their FDT_BEGIN_NODE token); the root is offset 0.  Negative
 * return values are -NH_E* codes.
 *
 * What fdt_open() rejects with -NH_EBADMSG (f->why names the rule):
 *  - fewer than 40 bytes available, magic != 0xd00dfeed;
 *  - version < 16, last_comp_version > 17, or version < last_comp_version
 *    (v16 headers are 36 bytes and have no size_dt_struct: the structure
 *    block then ends at its FDT_END token; from v17 on, size_dt_struct
 *    bounds it and everything must lie inside it);
 *  - totalsize smaller than the header, larger than avail or > INT32_MAX;
 *  - a block (memory reservation map up to and including its terminating
 *    entry, structure block, strings block) that starts inside the header,
 *    ends past totalsize or overflows, or overlaps another block;
 *  - off_mem_rsvmap not 8-byte aligned, off_dt_struct not 4-byte aligned;
 *  - a structure block that does not start with the root's FDT_BEGIN_NODE
 *    (empty name), a node name without NUL inside the block, a property
 *    whose value runs past the block, a property name offset outside the
 *    strings block or a name without NUL inside it, an unknown token,
 *    FDT_PROP outside a node, FDT_END_NODE without a node, anything but
 *    FDT_END after the root's FDT_END_NODE, a missing FDT_END, and
 *    nesting deeper than FDT_MAX_DEPTH.
 * Within a node, properties are those before its first child (as in
 * libfdt); a property that follows a child node is invisible.
 */
#ifndef NUTHATCH_FDT_H
#define NUTHATCH_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC	0xd00dfeedu
#define FDT_MAX_DEPTH	32	/* root is depth 1 */

#define FDT_BEGIN_NODE	1u
#define FDT_END_NODE	2u
#define FDT_PROP	3u
#define FDT_NOP		4u
#define FDT_END		9u

/* A validated blob.  [I] after fdt_open() succeeds. */
struct fdt {
	const uint8_t *blob;
	uint32_t totalsize;
	uint32_t version;
	uint32_t rsv_off;	/* memory reservation map */
	uint32_t nrsv;		/* entries before the terminator */
	uint32_t struct_off;
	uint32_t struct_size;	/* v16: up to the end of FDT_END */
	uint32_t strings_off;
	uint32_t strings_size;
	const char *why;	/* why fdt_open() failed, "" on success */
};

/* Validate @blob (at most @avail bytes readable).  0 or -NH_EBADMSG. */
int fdt_open(struct fdt *f, const void *blob, size_t avail);

/* Big-endian readers (any alignment). */
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);
/* @n cells (0, 1 or 2) at @p as one number; 0 for n == 0. */
uint64_t fdt_cells(const void *p, unsigned n);

/* Memory reservation entry @i < f->nrsv.  0 or -NH_ENOENT. */
int fdt_rsv(const struct fdt *f, unsigned i, uint64_t *base, uint64_t *size);

/* The node's name (with unit address), NUL-terminated; "" for the root. */
const char *fdt_name(const struct fdt *f, int node);

/*
 * Depth-first walk: the node after @node in tree order, with *depth
 * adjusted by the levels descended (+1) or climbed.  -NH_ENOENT at the end.
 */
int fdt_walk(const struct fdt *f, int node, int *depth);
/* First child / next sibling of @node, or -NH_ENOENT. */
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);

/*
 * The chain root..@node into @chain (at most @max entries); returns its
 * length (1 for the root) or -NH_ENOENT / -NH_ELOOP.
 */
int fdt_lineage(const struct fdt *f, int node, int *chain, int max);

/* Parent of @node, -NH_ENOENT for the root. */
int fdt_parent(const struct fdt *f, int node);

/*
 * The child of @node named @name[0..len): exact match, or, if the name
 * has no '@', the first child whose name is name@<anything>.
 */
int fdt_subnode(const struct fdt *f, int node, const char *name, size_t len);

/*
 * Absolute path @path[0..len) ("/soc/serial@10000000"; repeated slashes
 * are skipped).  Aliases are the caller's business: a path that does not
 * start with '/' gives -NH_ENOENT.
 */
int fdt_path(const struct fdt *f, const char *path, size_t len);

/*
 * Property @name[0..nlen) of @node: a pointer to its value and *len, or
 * NULL if absent.  The value is not aligned.
 */
const void *fdt_prop_n(const struct fdt *f, int node, const char *name,
		       size_t nlen, uint32_t *len);
const void *fdt_prop(const struct fdt *f, int node, const char *name,
		     uint32_t *len);

/* Typed property readers; the rules for malformed values are theirs. */
/* A 4-byte property: true and *out, false if absent or any other length. */
bool fdt_prop_u32(const struct fdt *f, int node, const char *name,
		  uint32_t *out);
/* A 4- or 8-byte property as a number; false otherwise. */
bool fdt_prop_u64(const struct fdt *f, int node, const char *name,
		  uint64_t *out);
/*
 * A string property: the bytes up to its first NUL.  NULL if absent or if
 * the value holds no NUL at all (treated as absent).
 */
const char *fdt_prop_str(const struct fdt *f, int node, const char *name);
/*
 * Does stringlist value @v[0..len) hold @s as one of its entries?  Entries
 * are the NUL-terminated strings in the value; trailing bytes without a
 * NUL are not an entry.
 */
bool fdt_strlist_has(const void *v, uint32_t len, const char *s);

/* "phandle" (else "linux,phandle") if exactly 4 bytes, else 0. */
uint32_t fdt_phandle_of(const struct fdt *f, int node);
/* First node in tree order with that phandle; 0 and ~0 never match. */
int fdt_by_phandle(const struct fdt *f, uint32_t phandle);

#endif
